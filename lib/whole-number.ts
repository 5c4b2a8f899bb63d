/**
 * The one reading of a whole number from text (an environment variable, a command-line flag, a
 * form field): counts, milliseconds and ports alike. `Number()` semantics, so "1e3" is 1000 and
 * "2.5" or "many" are not whole.
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
