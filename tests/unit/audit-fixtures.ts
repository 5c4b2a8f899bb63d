import { ObjectId } from 'mongodb';
import { auditDashboards } from '../../lib/audit/audit-dashboards';
import { buildDcIndex, type DcIndex } from '../../lib/audit/dc-index';
import type { ComponentRow } from '../../lib/audit/types';

/**
 * Documents shaped as the platform stores them (a project with its workflows and DCs embedded,
 * deltatable registrations with their column specs, dashboard tabs with `stored_metadata`), after
 * depictio's own seed folders: the nf-core/ampliseq project, reduced to what the rules read.
 */

export const ID = {
  project: '646b0f3c1e4a2d7f8e5b8ca2',
  otherProject: '646b0f3c1e4a2d7f8e5b8c9a',
  workflow: '646b0f3c1e4a2d7f8e5b8ca3',
  otherWorkflow: '646b0f3c1e4a2d7f8e5b8c9b',
  metadata: '646b0f3c1e4a2d7f8e5b8ca5',
  relAbundance: '646b0f3c1e4a2d7f8e5b8cac',
  ancombc: '646b0f3c1e4a2d7f8e5b8cad',
  geojson: '646b0f3c1e4a2d7f8e5b8cb0',
  tree: '646b0f3c1e4a2d7f8e5b8cb1',
  joined: '646b0f3c1e4a2d7f8e5b8cb2',
  iris: '646b0f3c1e4a2d7f8e5b8c9c',
  dashboard: '6824cb3b89d2b72169309739',
} as const;

export const oid = (hex: string) => new ObjectId(hex);
const ADMIN = { _id: oid('67658ba033c8b59ad489d7c7'), email: 'admin@example.com', is_admin: true };

const table = (id: string, tag: string, type = 'table', join?: string[]) => ({
  _id: oid(id),
  data_collection_tag: tag,
  config: { type, metatype: 'Metadata', ...(join ? { join: { with_dc: join.map(oid) } } : {}) },
});
const registration = (id: string, columns: string[]) => ({
  data_collection_id: oid(id),
  aggregation: [{ aggregation_columns_specs: [...columns, 'depictio_run_id', 'aggregation_time'].map((name) => ({ name, type: 'string' })) }],
});

export function ampliseqIndex(): DcIndex {
  return buildDcIndex(
    [
      {
        _id: oid(ID.project),
        name: 'Ampliseq Microbial Community Analysis',
        is_public: true,
        permissions: { owners: [ADMIN], editors: [], viewers: [] },
        workflows: [
          {
            _id: oid(ID.workflow),
            name: 'ampliseq',
            data_collections: [
              table(ID.metadata, 'metadata'),
              table(ID.relAbundance, 'taxonomy_rel_abundance'),
              table(ID.ancombc, 'ancombc_results'),
              table(ID.geojson, 'regions', 'geojson'),
              table(ID.tree, 'phylogeny', 'phylogeny'),
              table(ID.joined, 'metadata_rel_abundance', 'table', [ID.metadata, ID.relAbundance]),
            ],
          },
        ],
      },
      {
        _id: oid(ID.otherProject),
        name: 'Iris Dataset Project Data Analysis',
        is_public: true,
        permissions: { owners: [ADMIN], editors: [], viewers: [] },
        workflows: [{ _id: oid(ID.otherWorkflow), name: 'iris_workflow', data_collections: [table(ID.iris, 'iris_table')] }],
      },
    ],
    {
      deltatables: [
        registration(ID.metadata, ['sample', 'name', 'habitat', 'city', 'latitude', 'longitude', 'sampling_date', 'region']),
        registration(ID.relAbundance, ['sample', 'Kingdom', 'Phylum', 'rel_abundance', 'habitat']),
        registration(ID.ancombc, ['id', 'contrast', 'lfc', 'q_val', 'W', 'Phylum']),
        registration(ID.joined, ['sample', 'habitat', 'Phylum', 'rel_abundance']),
        registration(ID.iris, ['sepal.length', 'sepal.width', 'variety']),
      ],
    },
  );
}

/** A component as the platform stores it: ids as ObjectIds, tags and the DC snapshot as resolved at save time. */
export function stored(componentType: string, dc: string, extra: Record<string, unknown> = {}, tag = 'metadata') {
  return {
    index: `${componentType}-${dc.slice(-2)}`,
    component_type: componentType,
    title: `${componentType} tile`,
    workflow_tag: 'ampliseq',
    data_collection_tag: tag,
    wf_id: oid(ID.workflow),
    dc_id: oid(dc),
    dc_config: { type: 'table', metatype: null, data_collection_tag: tag, dc_specific_properties: null, _id: oid(dc) },
    cols_json: {},
    parent_index: null,
    last_updated: '2026-03-03T09:51:38.081228',
    ...extra,
  };
}

export function dashboardTab(components: unknown[], extra: Record<string, unknown> = {}) {
  return {
    _id: oid(ID.dashboard),
    dashboard_id: oid(ID.dashboard),
    title: 'Community Analysis',
    project_id: oid(ID.project),
    parent_dashboard_id: null,
    is_main_tab: true,
    tab_order: 0,
    permissions: { owners: [ADMIN], editors: [], viewers: [] },
    stored_metadata: components,
    ...extra,
  };
}

/** The rows of one dashboard made of these tabs. */
export function auditRows(tabs: unknown[], index: DcIndex = ampliseqIndex()): ComponentRow[] {
  return [...auditDashboards(index, tabs)].flatMap((d) => d.components);
}

/** The one row of a dashboard holding only this component. */
export const auditOne = (component: unknown, index?: DcIndex): ComponentRow => auditRows([dashboardTab([component])], index)[0]!;
