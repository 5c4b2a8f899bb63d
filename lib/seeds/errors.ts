import type { z } from 'zod';

export interface SeedProblem {
  file: string;
  field: string;
  message: string;
}

/** Seeds that cannot be used. Raised before anything is written, so nothing is ever wiped for them. */
export class SeedValidationError extends Error {
  constructor(readonly problems: SeedProblem[]) {
    super(`Invalid seeds (nothing was written):\n${problems.map((p) => `  - ${p.file}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n')}`);
    this.name = 'SeedValidationError';
  }
}

/** `workflows[0].data_collections[1]._id` from zod's path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

export function zodProblems(file: string, error: z.ZodError): SeedProblem[] {
  return error.issues.map((issue) => ({
    file,
    field: fieldPath(issue.path),
    message: issue.code === 'invalid_type' && issue.input === undefined ? 'missing (required)' : issue.message,
  }));
}
