import {
  type DashboardDoc,
  type DeltaTableDoc,
  type GroupDoc,
  type MultiqcDoc,
  type ProjectDoc,
  type UserDoc,
  dashboardSchema,
  deltaTableSchema,
  groupSchema,
  multiqcSchema,
  projectSchema,
  userSchema,
} from '../schemas/platform';
import type { PasswordSource, Passwords } from './passwords';

export interface Credentials {
  /** The admin's email (ADMIN_EMAIL); depictio's default admin@example.com when unset. */
  adminEmail?: string;
  passwords: Passwords;
}

export interface SeedProjectBundle {
  /** The project's folder, relative to SEEDS_DIR (`init/iris`, `nf-core/ampliseq/2.14.0`). */
  folder: string;
  /** sha256 of this folder's seed files: the folder changed since a seeding when it differs. */
  digest: string;
  project: ProjectDoc;
  dashboards: DashboardDoc[];
  deltatables: DeltaTableDoc[];
  multiqc: MultiqcDoc[];
}

export interface SeedBundle {
  /** sha256 of the seed files: a complete state with the same digest needs no reseed. */
  digest: string;
  users: UserDoc[];
  groups: GroupDoc[];
  projects: SeedProjectBundle[];
  /** Passwords made up because none was configured; print them once if these users get seeded. */
  generatedPasswords: Array<{ email: string; source: PasswordSource; password: string }>;
}

/** The builder's output must be what the platform's schemas say; a failure here is a bug, not bad seeds. */
export function assertShapes(bundle: SeedBundle): void {
  bundle.users.forEach((u) => userSchema.parse(u));
  bundle.groups.forEach((g) => groupSchema.parse(g));
  for (const p of bundle.projects) {
    projectSchema.parse(p.project);
    p.dashboards.forEach((d) => dashboardSchema.parse(d));
    p.deltatables.forEach((d) => deltaTableSchema.parse(d));
    p.multiqc.forEach((m) => multiqcSchema.parse(m));
  }
}
