import type { SeedProblem } from './errors';

/** Collects what is wrong with a seed folder: errors stop seeding, warnings are reported only. */
export class Problems {
  readonly errors: SeedProblem[] = [];
  readonly warnings: SeedProblem[] = [];

  error(file: string, field: string, message: string): void {
    this.errors.push({ file, field, message });
  }

  warn(file: string, field: string, message: string): void {
    this.warnings.push({ file, field, message });
  }
}

/** `workflows[0].data_collections[1].config` from a parent path and a key or index. */
export function at(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
