import { z } from 'zod';
import { zodProblems } from '../zod-issues';

/** One problem of the seeds: the file, the field in it (empty for the whole file) and what is wrong. */
export const seedProblemSchema = z.object({ file: z.string(), field: z.string(), message: z.string() });
export type SeedProblem = z.infer<typeof seedProblemSchema>;

/** Seeds that cannot be used. Raised before anything is written, so nothing is ever wiped for them. */
export class SeedValidationError extends Error {
  constructor(readonly problems: SeedProblem[]) {
    super(`Invalid seeds (nothing was written):\n${problems.map((p) => `  - ${p.file}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n')}`);
    this.name = 'SeedValidationError';
  }
}

/** A seed file's zod problems, each named with the file. */
export function seedProblems(file: string, error: z.ZodError): SeedProblem[] {
  return zodProblems(error, { missing: 'missing (required)' }).map((p) => ({ file, ...p }));
}
