import path from 'node:path';
import { ObjectId } from 'mongodb';
import {
  DC_SOURCES,
  DC_TYPES,
  type DataCollectionDoc,
  type DeltaTableDoc,
  type MultiqcDoc,
  type ProjectDoc,
  type UserRefDoc,
  type WorkflowDoc,
} from '../schemas/platform';
import { findByPattern, polarsType, readHeader, resolveSeedPath } from './data-file';
import { derivedObjectId } from '../db/derived-object-id';
import { at, type Problems } from './problems';
import { isObject } from './stored';

type Loose = Record<string, unknown>;

/** Where a DC's column specs came from, for the seed plan. */
export type ColumnsFrom = 'data file' | 'columns_description' | 'join' | 'none';

export interface DcInfo {
  doc: DataCollectionDoc;
  workflowId: ObjectId;
  workflowName: string;
  columns: Array<{ name: string; type: string }>;
  columnsFrom: ColumnsFrom;
  dataFile: string | null;
}

export interface BuiltProject {
  project: ProjectDoc;
  dcs: DcInfo[];
  deltatables: DeltaTableDoc[];
  multiqc: MultiqcDoc[];
  /** Data-file headers read, for the digest. */
  samples: string[];
}

const S3_BUCKET = 's3://depictio-bucket';
/** depictio's processing adds these to every table it registers. */
const PROCESSING_COLUMNS = [
  { name: 'depictio_run_id', type: 'string' },
  { name: 'aggregation_time', type: 'datetime' },
];
/** A stable registration time when project.yaml gives none: seeding twice writes the same documents. */
const DEFAULT_REGISTRATION_TIME = new Date('2025-01-01T00:00:00Z');
const CATALOG_NAMES = ['workflowhub', 'nf-core', 'smk-wf-catalog'];
const JOIN_HOWS = ['inner', 'outer', 'left', 'right'];

function regexOf(value: unknown): RegExp | null {
  if (typeof value !== 'string') return null;
  try {
    return new RegExp(value);
  } catch {
    return null;
  }
}

/**
 * Checks a parsed project.yaml the way depictio's Project/Workflow/DataCollection models do (only
 * what they reject is an error) and builds the project document as depictio stores it, with its
 * registrations. `raw` has already been through toStored (ids converted).
 */
export async function buildProject(input: {
  raw: unknown;
  file: string;
  folder: string;
  projectDir: string;
  owner: UserRefDoc;
  problems: Problems;
}): Promise<BuiltProject | null> {
  const { raw, file, folder, projectDir, owner, problems } = input;
  const err = (field: string, message: string) => problems.error(file, field, message);
  if (!isObject(raw)) {
    err('', 'expected a mapping (the project)');
    return null;
  }
  const before = problems.errors.length;

  const idOf = (value: unknown, field: string, kind: string, seed: string): ObjectId => {
    if (value instanceof ObjectId) return value;
    if (value === undefined || value === null) {
      problems.warn(file, field, `no id: a stable one is derived from the ${kind}'s name (depictio would make a new one each time)`);
      return derivedObjectId(kind, seed);
    }
    err(field, `expected a 24-hex ObjectId (got ${JSON.stringify(value)})`);
    return new ObjectId();
  };

  const projectId = idOf(raw._id, 'id', 'project', folder);
  if (typeof raw.name !== 'string' || raw.name === '') err('name', 'Project name cannot be empty');
  const projectType = raw.project_type ?? 'basic';
  if (projectType !== 'basic' && projectType !== 'advanced') err('project_type', `expected "basic" or "advanced" (got ${JSON.stringify(projectType)})`);
  if (raw.is_public !== undefined && typeof raw.is_public !== 'boolean') err('is_public', 'expected true or false');
  let registrationTime = DEFAULT_REGISTRATION_TIME;
  if (raw.registration_time instanceof Date) registrationTime = raw.registration_time;
  else if (typeof raw.registration_time === 'string' && !Number.isNaN(Date.parse(raw.registration_time))) registrationTime = new Date(raw.registration_time);

  const workflowsRaw = raw.workflows ?? [];
  if (!Array.isArray(workflowsRaw)) err('workflows', 'expected a list of workflows');
  const dcs: DcInfo[] = [];
  const samples: string[] = [];
  const workflows: WorkflowDoc[] = [];

  for (const [w, wfRaw] of (Array.isArray(workflowsRaw) ? workflowsRaw : []).entries()) {
    const wp = at('workflows', w);
    if (!isObject(wfRaw)) {
      err(wp, 'expected a mapping (a workflow)');
      continue;
    }
    const name = typeof wfRaw.name === 'string' ? wfRaw.name : '';
    if (!name) err(at(wp, 'name'), 'name is required');
    const wfId = idOf(wfRaw._id, at(wp, 'id'), 'workflow', `${folder}/${name}`);
    const engine = wfRaw.engine;
    if (!isObject(engine)) err(at(wp, 'engine'), 'engine is required (a mapping with a name)');
    else {
      if (typeof engine.name !== 'string') err(at(wp, 'engine.name'), 'required: a string');
      if (engine.version !== undefined && engine.version !== null && typeof engine.version !== 'string') err(at(wp, 'engine.version'), 'expected a string');
      for (const key of Object.keys(engine))
        if (key !== 'name' && key !== 'version') err(at(wp, `engine.${key}`), 'not a field of a workflow engine (name, version)');
    }
    const catalog = wfRaw.catalog;
    if (catalog !== undefined && catalog !== null) {
      if (!isObject(catalog)) err(at(wp, 'catalog'), 'expected a mapping with name and url');
      else {
        if (!CATALOG_NAMES.includes(String(catalog.name)))
          err(at(wp, 'catalog.name'), `Invalid workflow catalog name: expected one of ${CATALOG_NAMES.join(', ')}`);
        if (typeof catalog.url !== 'string' || !/^(https?|git):\/\//.test(catalog.url))
          err(at(wp, 'catalog.url'), 'Invalid URL: expected http(s):// or git://');
      }
    }
    if (wfRaw.version !== undefined && wfRaw.version !== null && typeof wfRaw.version !== 'string') err(at(wp, 'version'), 'version must be a string');
    const location = wfRaw.data_location;
    const locations: string[] = [];
    if (!isObject(location)) err(at(wp, 'data_location'), 'required: a mapping with structure and locations');
    else {
      if (location.structure !== 'flat' && location.structure !== 'sequencing-runs')
        err(at(wp, 'data_location.structure'), "structure must be either 'flat' or 'sequencing-runs'");
      if (!Array.isArray(location.locations) || !location.locations.every((l) => typeof l === 'string'))
        err(at(wp, 'data_location.locations'), 'required: a list of paths');
      else locations.push(...(location.locations as string[]));
      if (location.structure === 'sequencing-runs') {
        if (!location.runs_regex) err(at(wp, 'data_location.runs_regex'), "runs_regex is required when structure is 'sequencing-runs'");
        else if (!regexOf(location.runs_regex)) err(at(wp, 'data_location.runs_regex'), 'Invalid runs_regex pattern');
      }
    }
    const dirs = (await Promise.all(locations.map((l) => resolveSeedPath(projectDir, l, 'dir')))).filter((d): d is string => d !== null);
    if (!Array.isArray(wfRaw.data_collections)) err(at(wp, 'data_collections'), 'data_collections must be a list');
    const dcDocs: DataCollectionDoc[] = [];
    for (const [d, dcRaw] of (Array.isArray(wfRaw.data_collections) ? wfRaw.data_collections : []).entries()) {
      const info = await buildDc({ raw: dcRaw, field: at(wp, `data_collections[${d}]`), file, folder, projectDir, dirs, problems });
      if (!info) continue;
      dcs.push({ ...info, workflowId: wfId, workflowName: name });
      if (info.sample) samples.push(info.sample);
      dcDocs.push(info.doc);
    }
    const engineName = isObject(engine) && typeof engine.name === 'string' ? engine.name : '';
    const workflowTag = typeof wfRaw.workflow_tag === 'string' && wfRaw.workflow_tag ? wfRaw.workflow_tag : `${engineName}/${name}`;
    workflows.push({ ...wfRaw, _id: wfId, workflow_tag: workflowTag, data_collections: dcDocs } as WorkflowDoc);
  }

  // Project-level joins: each persisted join is a table DC of its workflow, built now from its
  // sources, so that a dashboard on it is valid at once.
  const joinsRaw = raw.joins ?? [];
  if (!Array.isArray(joinsRaw)) err('joins', 'expected a list of joins');
  for (const [j, joinRaw] of (Array.isArray(joinsRaw) ? joinsRaw : []).entries()) {
    const jp = at('joins', j);
    if (!isObject(joinRaw)) {
      err(jp, 'expected a mapping (a join)');
      continue;
    }
    const name = typeof joinRaw.name === 'string' ? joinRaw.name : '';
    if (!name) err(at(jp, 'name'), 'required: the join name');
    const how = joinRaw.how ?? 'inner';
    if (typeof how !== 'string' || !JOIN_HOWS.includes(how.toLowerCase())) err(at(jp, 'how'), `join_how must be one of ${JOIN_HOWS.join(', ')}`);
    const on = joinRaw.on_columns;
    if (!Array.isArray(on) || on.length === 0 || !on.every((c) => typeof c === 'string')) err(at(jp, 'on_columns'), 'required: a list of column names');
    const sources = (['left_dc', 'right_dc'] as const).map((side) => {
      const tag = joinRaw[side];
      const found = dcs.find((dc) => dc.doc.data_collection_tag === tag || (tag instanceof ObjectId && dc.doc._id.equals(tag)));
      if (!found) err(at(jp, side), `no data collection ${JSON.stringify(tag instanceof ObjectId ? tag.toHexString() : tag)} in this project`);
      else if (found.doc.config.type !== 'table')
        err(at(jp, side), `DC ${found.doc.data_collection_tag} is a ${found.doc.config.type}, a join needs table DCs`);
      return found;
    });
    if (joinRaw.persist === false || !name || sources.some((s) => !s)) continue;
    const [left, right] = sources as [DcInfo, DcInfo];
    for (const column of Array.isArray(on) ? on : []) {
      for (const source of [left, right]) {
        if (source.columns.length > 0 && !source.columns.some((c) => c.name === column)) {
          err(at(jp, 'on_columns'), `join column "${String(column)}" is not a column of ${source.doc.data_collection_tag}`);
        }
      }
    }
    const dcId =
      joinRaw._id instanceof ObjectId
        ? joinRaw._id
        : joinRaw._static_dc_id instanceof ObjectId
          ? joinRaw._static_dc_id
          : idOf(joinRaw._id, at(jp, 'id'), 'join', `${folder}/${name}`);
    const workflow = workflows.find((wf) => (typeof joinRaw.workflow_name === 'string' ? wf.name === joinRaw.workflow_name : wf._id.equals(left.workflowId)));
    if (!workflow) {
      err(at(jp, 'workflow_name'), `no workflow named ${JSON.stringify(joinRaw.workflow_name)} in this project`);
      continue;
    }
    const columns = new Map<string, { name: string; type: string }>();
    for (const c of [...left.columns, ...right.columns]) if (!columns.has(c.name)) columns.set(c.name, c);
    const doc: DataCollectionDoc = {
      _id: dcId,
      data_collection_tag: `joined_${name}`,
      description:
        typeof joinRaw.description === 'string' ? joinRaw.description : `Join ${name} of ${left.doc.data_collection_tag} and ${right.doc.data_collection_tag}`,
      config: {
        type: 'table',
        metatype: left.doc.config.metatype ?? null,
        source: 'joined',
        dc_specific_properties: { format: 'parquet', columns_description: Object.fromEntries([...columns.keys()].map((c) => [c, ''])) },
        join: { on_columns: (on as string[]) ?? [], how: String(how).toLowerCase(), with_dc: [left.doc._id, right.doc._id] },
      },
    };
    workflow.data_collections.push(doc);
    dcs.push({ doc, workflowId: workflow._id, workflowName: workflow.name, columns: [...columns.values()], columnsFrom: 'join', dataFile: null });
  }
  if (raw.links !== undefined && !Array.isArray(raw.links)) err('links', 'expected a list of links');
  if (raw.data_collections !== undefined && !Array.isArray(raw.data_collections)) err('data_collections', 'expected a list of data collections');

  if (problems.errors.length > before) return null;

  const { _id: _drop, ...rest } = raw;
  const project = {
    ...rest,
    _id: projectId,
    name: raw.name as string,
    project_type: projectType as 'basic' | 'advanced',
    is_public: raw.is_public === true,
    // Owned by the admin, embedded as depictio embeds users; a public project is viewable by all.
    permissions: { owners: [owner], editors: [], viewers: raw.is_public === true ? ['*' as const] : [] },
    workflows,
    registration_time: registrationTime,
  } as ProjectDoc;

  const deltatables: DeltaTableDoc[] = [];
  const multiqc: MultiqcDoc[] = [];
  for (const dc of dcs) {
    const id = dc.doc._id;
    if (dc.doc.config.type === 'table') {
      const specs = [...dc.columns];
      for (const extra of PROCESSING_COLUMNS) if (!specs.some((c) => c.name === extra.name)) specs.push(extra);
      deltatables.push({
        _id: derivedObjectId('deltatables', id),
        data_collection_id: id,
        delta_table_location: `${S3_BUCKET}/${id.toHexString()}`,
        aggregation: [{ aggregation_time: registrationTime, aggregation_version: 1, aggregation_columns_specs: specs }],
      });
    }
    if (dc.doc.config.type === 'multiqc') {
      const props = dc.doc.config.dc_specific_properties as Loose;
      multiqc.push({
        _id: derivedObjectId('multiqc', id),
        data_collection_id: id,
        metadata: multiqcMetadata(props),
        s3_location: typeof props.s3_location === 'string' && props.s3_location ? props.s3_location : `${S3_BUCKET}/${id.toHexString()}/multiqc.parquet`,
      });
    }
  }
  return { project, dcs, deltatables, multiqc, samples };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** depictio's MultiQC plots: per module, a list of plot names or `{name: [sub-plots]}`. */
export function multiqcMetadata(props: Loose): MultiqcDoc['metadata'] {
  const plots: Record<string, string[]> = {};
  if (isObject(props.plots)) {
    for (const [module, list] of Object.entries(props.plots)) {
      plots[module] = (Array.isArray(list) ? list : []).flatMap((p) => (typeof p === 'string' ? [p] : isObject(p) ? Object.keys(p) : []));
    }
  }
  return { samples: strings(props.samples), modules: strings(props.modules), plots };
}

async function buildDc(input: {
  raw: unknown;
  field: string;
  file: string;
  folder: string;
  projectDir: string;
  dirs: string[];
  problems: Problems;
}): Promise<(Omit<DcInfo, 'workflowId' | 'workflowName'> & { sample: string | null }) | null> {
  const { raw, field, file, folder, projectDir, dirs, problems } = input;
  const err = (sub: string, message: string) => problems.error(file, at(field, sub), message);
  if (!isObject(raw)) {
    problems.error(file, field, 'expected a mapping (a data collection)');
    return null;
  }
  const before = problems.errors.length;
  const tag = typeof raw.data_collection_tag === 'string' ? raw.data_collection_tag : '';
  if (!tag) err('data_collection_tag', 'required: a string');
  let id: ObjectId;
  if (raw._id instanceof ObjectId) id = raw._id;
  else if (raw._id === undefined || raw._id === null) {
    problems.warn(file, at(field, 'id'), "no id: a stable one is derived from the DC's tag (depictio would make a new one each time)");
    id = derivedObjectId('dc', `${folder}/${tag}`);
  } else {
    err('id', `expected a 24-hex ObjectId (got ${JSON.stringify(raw._id)})`);
    return null;
  }
  const config = raw.config;
  if (!isObject(config)) {
    err('config', 'required: a mapping with the DC type');
    return null;
  }
  const type = typeof config.type === 'string' ? config.type.toLowerCase() : '';
  if (!(DC_TYPES as readonly string[]).includes(type)) err('config.type', `type must be one of ${DC_TYPES.join(', ')} (got ${JSON.stringify(config.type)})`);
  let source = config.source ?? 'native';
  if (typeof source === 'string' && source.startsWith('DataCollectionSource.')) source = source.split('.').pop()!.toLowerCase();
  if (!(DC_SOURCES as readonly unknown[]).includes(source)) err('config.source', `Invalid source value: must be one of ${DC_SOURCES.join(', ')}`);
  const scan = config.scan;
  if (type !== 'multiqc' && source === 'native' && !scan) err('config.scan', 'scan field is required for native data collections');
  let dataFile: string | null = null;
  if (scan !== undefined && scan !== null) {
    if (!isObject(scan)) err('config.scan', 'expected a mapping with mode and scan_parameters');
    else {
      const mode = typeof scan.mode === 'string' ? scan.mode.toLowerCase() : '';
      const params = isObject(scan.scan_parameters) ? scan.scan_parameters : undefined;
      if (mode !== 'recursive' && mode !== 'single') err('config.scan.mode', "mode must be one of ['recursive', 'single']");
      else if (mode === 'single') {
        if (typeof params?.filename !== 'string' || !params.filename) err('config.scan.scan_parameters.filename', 'Filename cannot be empty');
        else dataFile = await resolveSeedPath(projectDir, params.filename, 'file');
      } else {
        const pattern = isObject(params?.regex_config) ? params.regex_config.pattern : undefined;
        const regex = regexOf(pattern);
        if (typeof pattern !== 'string') err('config.scan.scan_parameters.regex_config.pattern', 'required: a regex pattern');
        else if (!regex) err('config.scan.scan_parameters.regex_config.pattern', 'Invalid regex pattern');
        else if (type === 'table') dataFile = await findByPattern(dirs, regex);
      }
    }
  }
  const props = config.dc_specific_properties;
  if (type !== 'multiqc' && type !== 'image' && type !== 'geojson' && type !== 'phylogeny' && !isObject(props)) {
    err('config.dc_specific_properties', `required for a ${type || 'data'} DC: a mapping`);
  }
  const join = config.join;
  if (join !== undefined && join !== null) {
    if (!isObject(join)) err('config.join', 'expected a mapping with on_columns, how and with_dc');
    else {
      if (!Array.isArray(join.on_columns)) err('config.join.on_columns', 'required: a list');
      if (!Array.isArray(join.with_dc)) err('config.join.with_dc', 'required: a list');
      if (join.how !== undefined && (typeof join.how !== 'string' || !JOIN_HOWS.includes(join.how.toLowerCase())))
        err('config.join.how', `join_how must be one of ${JOIN_HOWS.join(', ')}`);
    }
  }
  if (problems.errors.length > before) return null;

  const properties = (isObject(props) ? props : {}) as Loose;
  const polars = isObject(properties.polars_kwargs) ? properties.polars_kwargs : {};
  const overrides = { ...(isObject(polars.dtypes) ? polars.dtypes : {}), ...(isObject(polars.schema_overrides) ? polars.schema_overrides : {}) };
  const described = isObject(properties.columns_description) ? Object.keys(properties.columns_description) : [];
  let columns: Array<{ name: string; type: string }> = [];
  let columnsFrom: ColumnsFrom = 'none';
  let sample: string | null = null;
  if (type === 'table') {
    const format = typeof properties.format === 'string' ? properties.format.toLowerCase() : '';
    const separator = typeof polars.separator === 'string' ? polars.separator : format === 'tsv' ? '\t' : ',';
    const header = dataFile && ['csv', 'tsv', 'txt', ''].includes(format) ? await readHeader(dataFile, separator).catch(() => null) : null;
    if (header) {
      columns = header.columns;
      columnsFrom = 'data file';
      sample = `${path.relative(projectDir, dataFile!)}\0${header.sample}`;
    } else if (described.length > 0) {
      columns = described.map((name) => ({ name, type: 'string' }));
      columnsFrom = 'columns_description';
    }
    columns = columns.map((c) => ({ name: c.name, type: polarsType(overrides[c.name]) ?? c.type }));
  }
  const doc = {
    ...raw,
    _id: id,
    data_collection_tag: tag,
    config: { ...config, type, source, metatype: config.metatype ?? null, dc_specific_properties: properties },
  } as DataCollectionDoc;
  return { doc, columns, columnsFrom, dataFile, sample };
}
