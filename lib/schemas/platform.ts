import { z } from 'zod';
import { objectIdSchema } from './object-id';

/**
 * The platform's documents as the console seeds them (the fields that matter here). The audit reads
 * whatever is in the database with looser rules; these are what the seeder promises to write.
 */

export const DC_TYPES = ['table', 'multiqc', 'jbrowse2', 'image', 'geojson'] as const;
export const DC_METATYPES = ['Metadata', 'Aggregate'] as const;
export const COMPONENT_TYPES = [
  'card',
  'figure',
  'interactive',
  'table',
  'text',
  'multiqc',
  'map',
  'image',
  'jbrowse',
] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export const userRefSchema = z.object({ _id: objectIdSchema, email: z.string(), is_admin: z.boolean() });

export const permissionsSchema = z.object({
  owners: z.array(userRefSchema),
  editors: z.array(userRefSchema),
  viewers: z.array(z.union([userRefSchema, z.literal('*')])),
});

export const dataCollectionSchema = z.object({
  _id: objectIdSchema,
  data_collection_tag: z.string(),
  description: z.string(),
  config: z.object({
    type: z.enum(DC_TYPES),
    metatype: z.enum(DC_METATYPES).nullable(),
    source: z.enum(['native', 'joined']),
    dc_specific_properties: z.looseObject({
      format: z.string().optional(),
      columns_description: z.record(z.string(), z.string()).optional(),
    }),
    join: z
      .object({
        name: z.string(),
        on_columns: z.array(z.string()),
        how: z.enum(['inner', 'left', 'outer']),
        with_dc: z.array(objectIdSchema),
        with_dc_tags: z.array(z.string()),
      })
      .optional(),
  }),
});
export type DataCollectionDoc = z.infer<typeof dataCollectionSchema>;

export const workflowSchema = z.object({
  _id: objectIdSchema,
  name: z.string(),
  engine: z.object({ name: z.string(), version: z.string().optional() }),
  catalog: z.object({ name: z.string(), url: z.string() }).optional(),
  workflow_tag: z.string(),
  version: z.string().optional(),
  data_location: z.object({
    structure: z.enum(['flat', 'sequencing-runs']),
    locations: z.array(z.string()),
    runs_regex: z.string().optional(),
  }),
  data_collections: z.array(dataCollectionSchema),
});
export type WorkflowDoc = z.infer<typeof workflowSchema>;

export const projectSchema = z.object({
  _id: objectIdSchema,
  name: z.string(),
  project_type: z.enum(['basic', 'advanced']),
  is_public: z.boolean(),
  permissions: permissionsSchema,
  workflows: z.array(workflowSchema),
  registration_time: z.date(),
});
export type ProjectDoc = z.infer<typeof projectSchema>;

export const componentSchema = z.object({
  index: z.string(),
  component_type: z.enum(COMPONENT_TYPES),
  title: z.string().optional(),
  dc_id: objectIdSchema.nullable(),
  wf_id: objectIdSchema.nullable(),
  data_collection_tag: z.string().optional(),
  dc_config: z
    .object({ _id: objectIdSchema, data_collection_tag: z.string(), type: z.enum(DC_TYPES) })
    .optional(),
  column_name: z.string().optional(),
  aggregation: z.string().optional(),
  interactive_component_type: z.string().optional(),
  visu_type: z.string().optional(),
  dict_kwargs: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  selected_module: z.string().optional(),
  selected_plot: z.string().optional(),
});
export type ComponentDoc = z.infer<typeof componentSchema>;

export const dashboardSchema = z.object({
  _id: objectIdSchema,
  dashboard_id: objectIdSchema,
  project_id: objectIdSchema,
  title: z.string(),
  is_main_tab: z.boolean(),
  parent_dashboard_id: objectIdSchema.nullable(),
  tab_order: z.number().int(),
  permissions: permissionsSchema,
  is_public: z.boolean(),
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
