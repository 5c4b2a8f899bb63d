import { z } from 'zod';
import { wholeNumberSchema } from '../whole-number';
import { DRILL_ALGORITHMS } from './algorithms';

/** The most worker processes one algorithm of a console drill starts: on time plus late. */
export const MAX_DRILL_WORKERS = 32;
export const MAX_LATE_STARTERS = 16;

const ALGORITHM_LIST = DRILL_ALGORITHMS.join(', ');

/**
 * The algorithms to run, in order: a set of the known ones. The length is checked on the raw
 * array before any element is, so a request with 200 entries gets one line, not 200.
 */
const algorithmsSchema = z.preprocess(
  // One checkbox posted as a form field arrives as a string.
  (value) => (typeof value === 'string' ? [value] : value),
  z
    .array(z.unknown(), { error: `must be a list of algorithms (${ALGORITHM_LIST})` })
    .min(1, { error: 'choose at least one algorithm' })
    .max(DRILL_ALGORITHMS.length, { error: `at most ${DRILL_ALGORITHMS.length} algorithms, each once (${ALGORITHM_LIST})` })
    .pipe(
      z
        .array(z.enum(DRILL_ALGORITHMS, { error: `must be one of ${ALGORITHM_LIST}` }))
        .refine((list) => new Set(list).size === list.length, { error: 'each algorithm at most once' }),
    ),
);

/** What an admin asks of the drill page. Every error names its field (the guard prefixes the path). */
export const drillRequestSchema = z.object({
  algorithms: algorithmsSchema,
  workers: wholeNumberSchema({ min: 1, max: MAX_DRILL_WORKERS }),
  late: wholeNumberSchema({ min: 0, max: MAX_LATE_STARTERS }),
  lateAfterMs: wholeNumberSchema({ min: 0, max: 60_000, unit: ' ms' }),
  windowMs: wholeNumberSchema({ min: 0, max: 10_000, unit: ' ms' }),
});
export type DrillRequest = z.infer<typeof drillRequestSchema>;
