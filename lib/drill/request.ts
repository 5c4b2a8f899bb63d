import { z } from 'zod';
import { checkWholeNumber } from '../whole-number';
import { DRILL_ALGORITHMS } from './algorithms';

/** The most worker processes one algorithm of a console drill starts: on time plus late. */
export const MAX_DRILL_WORKERS = 32;
export const MAX_LATE_STARTERS = 16;

const whole = (min: number, max: number, unit = '') =>
  z.unknown().transform((raw, ctx) => {
    const checked = checkWholeNumber(raw, min, max);
    if (checked.ok) return checked.value;
    const message = {
      'not-whole': `must be a whole number from ${min} to ${max}${unit}`,
      'below-min': `must be at least ${min}${unit}`,
      'above-max': `must be at most ${max}${unit}`,
    };
    ctx.addIssue({ code: 'custom', message: message[checked.problem] });
    return z.NEVER;
  });

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
  workers: whole(1, MAX_DRILL_WORKERS),
  late: whole(0, MAX_LATE_STARTERS),
  lateAfterMs: whole(0, 60_000, ' ms'),
  windowMs: whole(0, 10_000, ' ms'),
});
export type DrillRequest = z.infer<typeof drillRequestSchema>;
