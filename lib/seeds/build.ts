import type { ObjectId } from 'mongodb';
import {
  type ComponentDoc,
  type DashboardDoc,
  type DataCollectionDoc,
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
import { componentColumns } from '../schemas/component-columns';
import { derivedObjectId } from './derived-id';
import { SeedValidationError, type SeedProblem } from './errors';
import { generatedPassword, hashPassword, type PasswordSource, type Passwords } from './passwords';
import type { SeedComponent, SeedDashboard, SeedDataCollection, SeedProject, SeedUsers } from './schema';

export interface Credentials {
  /** Replaces the email of the user whose password comes from ADMIN_PASSWORD. */
  adminEmail?: string;
  passwords: Passwords;
}

export interface SeedProjectFiles {
  project: SeedProject;
  dashboards: SeedDashboard[];
  projectFile: string;
  dashboardsFile: string;
}

export interface SeedProjectBundle {
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

interface ResolvedDc {
  seed: SeedDataCollection;
  workflowId: ObjectId;
  columns: Array<{ name: string; type: string; description?: string }>;
}

const S3_BUCKET = 's3://depictio-bucket';

/** Drops undefined fields: the driver would otherwise store them as null. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function buildSeedBundle(input: {
  users: SeedUsers;
  usersFile: string;
  projects: SeedProjectFiles[];
  digest: string;
  credentials: Credentials;
}): SeedBundle {
  const problems: SeedProblem[] = [];
  const problem = (file: string, field: string, message: string) => problems.push({ file, field, message });

  // Users first: projects name their owners by email.
  const generatedPasswords: SeedBundle['generatedPasswords'] = [];
  const userByEmail = new Map<string, UserDoc>();
  const seenIds = new Map<string, string>();
  const claimId = (id: ObjectId, file: string, field: string) => {
    const key = id.toHexString();
    const previous = seenIds.get(key);
    if (previous) problem(file, field, `id ${key} is already used by ${previous}`);
    else seenIds.set(key, `${file} ${field}`);
  };

  input.users.users.forEach((user, i) => {
    claimId(user._id, input.usersFile, `users[${i}]._id`);
    if (userByEmail.has(user.email)) problem(input.usersFile, `users[${i}].email`, `duplicate email ${user.email}`);
    const email = user.password_from === 'ADMIN_PASSWORD' && input.credentials.adminEmail ? input.credentials.adminEmail : user.email;
    let password = input.credentials.passwords[user.password_from];
    if (!password) {
      password = generatedPassword(user.password_from, email);
      generatedPasswords.push({ email, source: user.password_from, password });
    }
    userByEmail.set(user.email, { _id: user._id, email, password: hashPassword(email, password), is_admin: user.is_admin });
  });
  const groups: GroupDoc[] = input.users.groups.map((group, i) => {
    claimId(group._id, input.usersFile, `groups[${i}]._id`);
    const users_ids = group.members.flatMap((email, j) => {
      const user = userByEmail.get(email);
      if (!user) problem(input.usersFile, `groups[${i}].members[${j}]`, `no user with email ${email}`);
      return user ? [user._id] : [];
    });
    return { _id: group._id, name: group.name, users_ids };
  });

  const projectNames = new Set<string>();
  const projects: SeedProjectBundle[] = input.projects.map((files) => {
    const { project, projectFile, dashboardsFile } = files;
    claimId(project._id, projectFile, '_id');
    if (projectNames.has(project.name)) problem(projectFile, 'name', `another project is named "${project.name}"`);
    projectNames.add(project.name);

    const owners = project.owners.flatMap((email, i) => {
      const user = userByEmail.get(email);
      if (!user) problem(projectFile, `owners[${i}]`, `no user with email ${email} in users.json`);
      return user ? [{ _id: user._id, email: user.email, is_admin: user.is_admin }] : [];
    });
    const permissions = { owners, editors: [], viewers: project.is_public ? ['*' as const] : [] };

    const dcs = resolveDataCollections(files, claimId, problem);
    const workflows = project.workflows.map((wf, w) => {
      claimId(wf._id, projectFile, `workflows[${w}]._id`);
      return compact({
        _id: wf._id,
        name: wf.name,
        engine: compact({ ...wf.engine }),
        catalog: wf.catalog,
        workflow_tag: wf.workflow_tag,
        version: wf.version,
        data_location: compact({
          structure: wf.data_location.structure,
          locations: wf.data_location.locations,
          runs_regex: wf.data_location.runs_regex,
        }),
        data_collections: wf.data_collections.map((dc) => dataCollectionDoc(dcs.get(dc.data_collection_tag)!, dcs)),
      });
    });

    const projectDoc: ProjectDoc = {
      _id: project._id,
      name: project.name,
      project_type: project.project_type,
      is_public: project.is_public,
      permissions,
      workflows,
      registration_time: project.registration_time,
    };
    const dashboards = buildDashboards(files, projectDoc, dcs, claimId, problem);
    const deltatables: DeltaTableDoc[] = [];
    const multiqc: MultiqcDoc[] = [];
    for (const dc of dcs.values()) {
      if (dc.seed.type === 'table') {
        deltatables.push({
          _id: derivedObjectId('deltatables', dc.seed._id),
          data_collection_id: dc.seed._id,
          delta_table_location: `${S3_BUCKET}/${dc.seed._id.toHexString()}`,
          aggregation: [
            {
              aggregation_time: project.registration_time,
              aggregation_version: 1,
              aggregation_columns_specs: dc.columns.map(({ name, type }) => ({ name, type })),
            },
          ],
        });
      }
      if (dc.seed.multiqc) {
        multiqc.push({
          _id: derivedObjectId('multiqc', dc.seed._id),
          data_collection_id: dc.seed._id,
          metadata: dc.seed.multiqc,
          s3_location: `${S3_BUCKET}/${dc.seed._id.toHexString()}/multiqc.parquet`,
        });
      }
    }
    return { project: projectDoc, dashboards, deltatables, multiqc };
  });

  if (problems.length > 0) throw new SeedValidationError(problems);

  const bundle: SeedBundle = {
    digest: input.digest,
    users: [...userByEmail.values()],
    groups,
    projects,
    generatedPasswords,
  };
  assertShapes(bundle);
  return bundle;
}

function resolveDataCollections(
  { project, projectFile }: SeedProjectFiles,
  claimId: (id: ObjectId, file: string, field: string) => void,
  problem: (file: string, field: string, message: string) => void,
): Map<string, ResolvedDc> {
  const dcs = new Map<string, ResolvedDc>();
  project.workflows.forEach((wf, w) =>
    wf.data_collections.forEach((dc, d) => {
      const field = `workflows[${w}].data_collections[${d}]`;
      claimId(dc._id, projectFile, `${field}._id`);
      if (dcs.has(dc.data_collection_tag)) {
        problem(projectFile, `${field}.data_collection_tag`, `tag "${dc.data_collection_tag}" is used twice in this project`);
      }
      dcs.set(dc.data_collection_tag, { seed: dc, workflowId: wf._id, columns: dc.columns ?? [] });
    }),
  );
  // A join DC is materialized now, from the DCs it joins, so its dashboards are valid at once.
  project.workflows.forEach((wf, w) =>
    wf.data_collections.forEach((dc, d) => {
      if (!dc.join) return;
      const field = `workflows[${w}].data_collections[${d}].join`;
      const columns = new Map<string, { name: string; type: string }>();
      dc.join.with.forEach((tag, t) => {
        const other = dcs.get(tag);
        if (!other || other.seed.join) {
          problem(projectFile, `${field}.with[${t}]`, `unknown DC tag "${tag}" (a join needs native table DCs of this project)`);
          return;
        }
        for (const on of dc.join!.on) {
          if (!other.columns.some((c) => c.name === on)) {
            problem(projectFile, `${field}.on`, `join column "${on}" is not a column of "${tag}"`);
          }
        }
        for (const column of other.columns) if (!columns.has(column.name)) columns.set(column.name, column);
      });
      dcs.get(dc.data_collection_tag)!.columns = [...columns.values()];
    }),
  );
  return dcs;
}

function dataCollectionDoc(dc: ResolvedDc, dcs: Map<string, ResolvedDc>): DataCollectionDoc {
  const { seed } = dc;
  const columnsDescription =
    dc.columns.length > 0 ? Object.fromEntries(dc.columns.map((c) => [c.name, c.description ?? ''])) : undefined;
  return {
    _id: seed._id,
    data_collection_tag: seed.data_collection_tag,
    description: seed.description,
    config: compact({
      type: seed.type,
      metatype: seed.metatype ?? null,
      source: seed.join ? ('joined' as const) : ('native' as const),
      dc_specific_properties: compact({ format: seed.format, columns_description: columnsDescription }),
      join: seed.join && {
        name: seed.join.name,
        on_columns: seed.join.on,
        how: seed.join.how,
        with_dc: seed.join.with.flatMap((tag) => dcs.get(tag)?.seed._id ?? []),
        with_dc_tags: seed.join.with,
      },
    }),
  };
}

function buildDashboards(
  { dashboards, dashboardsFile, project: seedProject }: SeedProjectFiles,
  project: ProjectDoc,
  dcs: Map<string, ResolvedDc>,
  claimId: (id: ObjectId, file: string, field: string) => void,
  problem: (file: string, field: string, message: string) => void,
): DashboardDoc[] {
  const ids = new Set(dashboards.map((d) => d._id.toHexString()));
  const mainTabs = dashboards.filter((d) => !d.parent);
  if (mainTabs.length !== 1) problem(dashboardsFile, '', `expected exactly one main tab (a dashboard without parent), found ${mainTabs.length}`);
  const mainId = mainTabs[0]?._id.toHexString();
  const indexes = new Set<string>();

  return dashboards.map((dashboard, i) => {
    // The main tab may share its project's id (ampliseq does); any other reuse is an error.
    if (dashboard._id.toHexString() !== project._id.toHexString()) claimId(dashboard._id, dashboardsFile, `[${i}]._id`);
    if (dashboard.parent) {
      const parent = dashboard.parent.toHexString();
      if (!ids.has(parent)) problem(dashboardsFile, `[${i}].parent`, `no dashboard ${parent} in this file`);
      else if (parent !== mainId) problem(dashboardsFile, `[${i}].parent`, `${parent} is itself a child tab; a parent must be the main tab`);
    }
    const stored_metadata = dashboard.components.map((component, c) => {
      const field = `[${i}].components[${c}]`;
      if (indexes.has(component.index)) problem(dashboardsFile, `${field}.index`, `index ${component.index} is used twice`);
      indexes.add(component.index);
      return componentDoc(component, dcs, seedProject.name, (sub, message) => problem(dashboardsFile, `${field}.${sub}`, message));
    });
    return {
      _id: dashboard._id,
      dashboard_id: dashboard._id,
      project_id: project._id,
      title: dashboard.title,
      is_main_tab: !dashboard.parent,
      parent_dashboard_id: dashboard.parent ?? null,
      tab_order: dashboard.tab_order,
      permissions: project.permissions,
      is_public: project.is_public,
      stored_metadata,
    };
  });
}

function componentDoc(
  component: SeedComponent,
  dcs: Map<string, ResolvedDc>,
  projectName: string,
  problem: (field: string, message: string) => void,
): ComponentDoc {
  const { dc: tag, ...fields } = component;
  if (!tag) return compact({ ...fields, dc_id: null, wf_id: null });
  const dc = dcs.get(tag);
  if (!dc) {
    problem('dc', `unknown DC tag "${tag}": project "${projectName}" has ${[...dcs.keys()].join(', ')}`);
    return compact({ ...fields, dc_id: null, wf_id: null });
  }
  const known = new Set(dc.columns.map((c) => c.name));
  for (const { field, column } of componentColumns(component)) {
    if (dc.columns.length > 0 && !known.has(column)) problem(field, `column "${column}" is not a column of DC "${tag}"`);
  }
  if (component.component_type === 'multiqc' && dc.seed.multiqc && component.selected_module) {
    const plots = dc.seed.multiqc.plots[component.selected_module];
    if (!plots) problem('selected_module', `module "${component.selected_module}" is not in DC "${tag}"`);
    else if (component.selected_plot && !plots.includes(component.selected_plot)) {
      problem('selected_plot', `plot "${component.selected_plot}" is not a ${component.selected_module} plot of DC "${tag}"`);
    }
  }
  return compact({
    ...fields,
    dc_id: dc.seed._id,
    wf_id: dc.workflowId,
    data_collection_tag: tag,
    dc_config: { _id: dc.seed._id, data_collection_tag: tag, type: dc.seed.type },
  });
}

/** The builder's output must be what the platform's schemas say; a failure here is a bug, not bad seeds. */
function assertShapes(bundle: SeedBundle): void {
  bundle.users.forEach((u) => userSchema.parse(u));
  bundle.groups.forEach((g) => groupSchema.parse(g));
  for (const p of bundle.projects) {
    projectSchema.parse(p.project);
    p.dashboards.forEach((d) => dashboardSchema.parse(d));
    p.deltatables.forEach((d) => deltaTableSchema.parse(d));
    p.multiqc.forEach((m) => multiqcSchema.parse(m));
  }
}
