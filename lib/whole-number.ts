import { z } from 'zod';

/**
 * The one reading of a whole number from text (an environment variable, a command-line flag, a
 * form field, a URL) or from JSON: counts, milliseconds and ports alike. `Number()` semantics, so
 * "1e3" is 1000 and "2.5" or "many" are not whole.
 */
export type WholeNumberCheck = { ok: true; value: number } | { ok: false; problem: 'not-whole' | 'below-min' | 'above-max' };

export function checkWholeNumber(raw: unknown, min: number, max: number): WholeNumberCheck {
  const value = Number(raw);
  if (!Number.isInteger(value)) return { ok: false, problem: 'not-whole' };
  if (value < min) return { ok: false, problem: 'below-min' };
  if (value > max) return { ok: false, problem: 'above-max' };
  return { ok: true, value };
}

/** `-n must be a whole number from 1 to 256 (got "x")`; `what` names the unit ("a port number"). */
export function wholeNumberMessage(name: string, raw: string, min: number, max: number, what = 'a whole number'): string {
  return `${name} must be ${what} from ${min} to ${max} (got "${raw}")`;
}

/** A command-line flag's value; a wrong one is an argument error (the command prints its usage). */
export function parseWholeNumberArg(name: string, raw: string, min: number, max: number, what?: string): number {
  const checked = checkWholeNumber(raw, min, max);
  if (checked.ok) return checked.value;
  throw Object.assign(new Error(wholeNumberMessage(name, raw, min, max, what)), { code: 'ERR_PARSE_ARGS_INVALID' });
}

export interface WholeNumberBounds {
  min: number;
  /** No upper bound said when absent (the largest safe integer). */
  max?: number;
  /** Said after each bound: " ms". */
  unit?: string;
  /** What to say when the value is absent altogether, instead of the bounds. */
  missing?: string;
}

/**
 * A whole number as a zod field (a form field or a URL's text, or a number from JSON), read as
 * checkWholeNumber reads it. Its messages follow the field's name, which zodIssueLines puts first:
 * "workers: must be at least 1".
 */
export function wholeNumberSchema({ min, max, unit = '', missing }: WholeNumberBounds) {
  const top = max ?? Number.MAX_SAFE_INTEGER;
  const problems = {
    'not-whole': max === undefined ? `must be a whole number of at least ${min}${unit}` : `must be a whole number from ${min} to ${max}${unit}`,
    'below-min': `must be at least ${min}${unit}`,
    'above-max': `must be at most ${top}${unit}`,
  };
  return z.union([z.number(), z.string()], { error: (issue) => (issue.input === undefined && missing) || problems['not-whole'] }).transform((raw, ctx) => {
    const checked = checkWholeNumber(raw, min, top);
    if (checked.ok) return checked.value;
    ctx.addIssue({ code: 'custom', message: problems[checked.problem] });
    return z.NEVER;
  });
}
