/**
 * How a run request names the state it was made from: the state's generation and fence, or none.
 * Apart from schemas.ts so that the overview page does not construct the actions' zod schemas in
 * the browser: zod must be set jitless before any schema exists there (lib/console/jitless-zod.ts),
 * or its `new Function` probe is a Content-Security-Policy violation.
 */
export function seenStateKey(state: { generation: string; fence: number } | null | undefined): string {
  return state ? `${state.generation}@${state.fence}` : 'none';
}
