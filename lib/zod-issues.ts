import type { z } from 'zod';

/** One problem zod found: where (`workflows[0].data_collections[1]._id`, empty at the top) and what. */
export interface ZodProblem {
  field: string;
  message: string;
}

/** `workflows[0].data_collections[1]._id` from zod's path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/**
 * The one reading of a zod error: every issue, with its field. `missing` replaces the message of a
 * value that is absent altogether (the seeds say "missing (required)" rather than zod's type error).
 */
export function zodProblems(error: z.ZodError, options: { missing?: string } = {}): ZodProblem[] {
  return error.issues.map((issue) => ({
    field: fieldPath(issue.path),
    message: options.missing !== undefined && issue.code === 'invalid_type' && issue.input === undefined ? options.missing : issue.message,
  }));
}

/** One line per issue, `field: message` (the message alone at the top level): what a refusal lists. */
export function zodIssueLines(error: z.ZodError): string[] {
  return zodProblems(error).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
}
