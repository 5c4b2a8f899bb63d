/** The race drill's algorithms. Apart from the zod schemas (types.ts) so the drill page can list them without shipping zod. */
export const DRILL_ALGORITHMS = ['unsafe', 'copy-drop-restore', 'lease'] as const;
export type DrillAlgorithm = (typeof DRILL_ALGORITHMS)[number];
