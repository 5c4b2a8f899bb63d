import { z } from 'zod';
import { objectIdSchema } from './object-id';

/**
 * The platform's documents as the console seeds them from depictio's seed folders (the fields that
 * matter here). Every object is loose: the platform's models carry many more fields, and a seed
 * keeps each of them as shipped. The audit reads whatever is in the database with looser rules.
 */

/** The DC types depictio's DataCollectionConfig accepts (after lowercasing) at v1.5. */
export const DC_TYPES = ['table', 'jbrowse2', 'multiqc', 'image', 'geojson', 'phylogeny'] as const;
/** depictio's DataCollectionSource values. */
export const DC_SOURCES = ['native', 'joined', 'aggregated', 'transformed'] as const;
/** The component types the console knows by name; a dashboard may carry any other (kept as shipped). */
export const COMPONENT_TYPES = ['card', 'figure', 'interactive', 'table', 'text', 'multiqc', 'map', 'image', 'jbrowse'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

/** A user embedded in permissions, as depictio's UserBase dumps it. */
export const userRefSchema = z.looseObject({ _id: objectIdSchema, email: z.string(), is_admin: z.boolean() });
export type UserRefDoc = z.infer<typeof userRefSchema>;

export const permissionsSchema = z.looseObject({
  owners: z.array(userRefSchema),
  editors: z.array(userRefSchema),
  viewers: z.array(z.union([userRefSchema, z.literal('*')])),
});

export const dataCollectionSchema = z.looseObject({
  _id: objectIdSchema,
  data_collection_tag: z.string(),
  description: z.string().nullable().optional(),
  config: z.looseObject({
    type: z.enum(DC_TYPES),
    metatype: z.string().nullable().optional(),
    source: z.enum(DC_SOURCES),
    dc_specific_properties: z.looseObject({
      format: z.string().optional(),
      columns_description: z.record(z.string(), z.string()).optional(),
    }),
    join: z
      .looseObject({ on_columns: z.array(z.string()), how: z.string(), with_dc: z.array(objectIdSchema) })
      .nullable()
      .optional(),
  }),
});
export type DataCollectionDoc = z.infer<typeof dataCollectionSchema>;

export const workflowSchema = z.looseObject({
  _id: objectIdSchema,
  name: z.string(),
  engine: z.looseObject({ name: z.string(), version: z.string().nullable().optional() }),
  catalog: z.looseObject({ name: z.string().nullable(), url: z.string().nullable() }).nullable().optional(),
  workflow_tag: z.string(),
  version: z.string().nullable().optional(),
  data_location: z.looseObject({
    structure: z.enum(['flat', 'sequencing-runs']),
    locations: z.array(z.string()),
    runs_regex: z.string().nullable().optional(),
  }),
  data_collections: z.array(dataCollectionSchema),
});
export type WorkflowDoc = z.infer<typeof workflowSchema>;

export const projectSchema = z.looseObject({
  _id: objectIdSchema,
  name: z.string(),
  project_type: z.enum(['basic', 'advanced']),
  is_public: z.boolean(),
  permissions: permissionsSchema,
  workflows: z.array(workflowSchema),
  /** Project-level join definitions and DC links, kept as shipped (ids converted). */
  joins: z.array(z.looseObject({})).optional(),
  links: z.array(z.looseObject({})).optional(),
  registration_time: z.date(),
});
export type ProjectDoc = z.infer<typeof projectSchema>;

/**
 * A dashboard component as shipped: depictio stores `stored_metadata` as an untyped list, so any
 * component type, index and extra field is kept; only the ids are ObjectIds.
 */
export const componentSchema = z.looseObject({
  index: z.unknown().optional(),
  component_type: z.string().optional(),
  dc_id: z.union([objectIdSchema, z.string(), z.null()]).optional(),
  wf_id: z.union([objectIdSchema, z.string(), z.null()]).optional(),
  dc_config: z.unknown().optional(),
});
export type ComponentDoc = z.infer<typeof componentSchema>;

export const dashboardSchema = z.looseObject({
  _id: objectIdSchema,
  dashboard_id: objectIdSchema,
  project_id: objectIdSchema,
  title: z.string(),
  is_main_tab: z.boolean().optional(),
  parent_dashboard_id: objectIdSchema.nullable().optional(),
  tab_order: z.number().int().optional(),
  permissions: permissionsSchema,
  is_public: z.boolean().optional(),
  stored_metadata: z.array(componentSchema),
});
export type DashboardDoc = z.infer<typeof dashboardSchema>;

export const deltaTableSchema = z.object({
  _id: objectIdSchema,
  data_collection_id: objectIdSchema,
  delta_table_location: z.string(),
  aggregation: z.array(
    z.object({
      aggregation_time: z.date(),
      aggregation_version: z.number().int(),
      aggregation_columns_specs: z.array(z.object({ name: z.string(), type: z.string() })),
    }),
  ),
});
export type DeltaTableDoc = z.infer<typeof deltaTableSchema>;

export const multiqcSchema = z.object({
  _id: objectIdSchema,
  data_collection_id: objectIdSchema,
  metadata: z.object({
    samples: z.array(z.string()),
    modules: z.array(z.string()),
    plots: z.record(z.string(), z.array(z.string())),
  }),
  s3_location: z.string(),
});
export type MultiqcDoc = z.infer<typeof multiqcSchema>;

export const userSchema = z.object({
  _id: objectIdSchema,
  email: z.string(),
  password: z.string().regex(/^\$2[aby]\$\d\d\$/, { message: 'expected a bcrypt hash' }),
  is_admin: z.boolean(),
});
export type UserDoc = z.infer<typeof userSchema>;

export const groupSchema = z.object({ _id: objectIdSchema, name: z.string(), users_ids: z.array(objectIdSchema) });
export type GroupDoc = z.infer<typeof groupSchema>;
