import { z } from 'zod';
import { objectIdHexSchema } from '../schemas/object-id';
import { COMPONENT_TYPES, DC_METATYPES, DC_TYPES } from '../schemas/platform';

/**
 * The shape of the files in `seeds/`. Dashboards name their data collections by tag: ids are
 * resolved from the project at load time, so a dashboard can never carry a DC id that the project
 * does not have (the incident's "wrong DC ids").
 */

const tag = z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/, { message: 'expected a tag of letters, digits, "_", "." or "-"' });
const email = z.email({ message: 'expected an email address' });
const isoDate = z.iso.datetime({ message: 'expected an ISO date-time such as 2025-01-01T00:00:00Z' }).transform((s) => new Date(s));

export const COLUMN_TYPES = ['string', 'int64', 'float64', 'bool', 'datetime'] as const;

const seedColumnSchema = z.strictObject({
  name: z.string().min(1),
  type: z.enum(COLUMN_TYPES),
  description: z.string().optional(),
});

const seedDataCollectionSchema = z
  .strictObject({
    _id: objectIdHexSchema,
    data_collection_tag: tag,
    description: z.string(),
    type: z.enum(DC_TYPES),
    metatype: z.enum(DC_METATYPES).optional(),
    format: z.string().optional(),
    rows: z.number().int().nonnegative().optional(),
    columns: z.array(seedColumnSchema).min(1).optional(),
    join: z
      .strictObject({
        name: z.string().min(1),
        with: z.array(tag).min(2),
        on: z.array(z.string().min(1)).min(1),
        how: z.enum(['inner', 'left', 'outer']),
      })
      .optional(),
    multiqc: z
      .strictObject({
        samples: z.array(z.string().min(1)).min(1),
        modules: z.array(z.string().min(1)).min(1),
        plots: z.record(z.string(), z.array(z.string().min(1))),
      })
      .optional(),
  })
  .superRefine((dc, ctx) => {
    if (dc.type === 'table' && !dc.columns && !dc.join) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'a table DC needs columns (or a join)' });
    }
    if (dc.join && dc.columns) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'a joined DC takes its columns from the join; remove columns' });
    }
    if (dc.type === 'multiqc' && !dc.multiqc) {
      ctx.addIssue({ code: 'custom', path: ['multiqc'], message: 'a multiqc DC needs its samples, modules and plots' });
    }
  });
export type SeedDataCollection = z.infer<typeof seedDataCollectionSchema>;

const seedWorkflowSchema = z.strictObject({
  _id: objectIdHexSchema,
  name: z.string().min(1),
  engine: z.strictObject({ name: z.string().min(1), version: z.string().optional() }),
  catalog: z.strictObject({ name: z.string(), url: z.url() }).optional(),
  workflow_tag: z.string().min(1),
  version: z.string().optional(),
  data_location: z.strictObject({
    structure: z.enum(['flat', 'sequencing-runs']),
    locations: z.array(z.string().min(1)).min(1),
    runs: z.array(z.string().min(1)).optional(),
    runs_regex: z.string().optional(),
  }),
  data_collections: z.array(seedDataCollectionSchema).min(1),
});

export const seedProjectSchema = z.strictObject({
  _id: objectIdHexSchema,
  name: z.string().min(1),
  project_type: z.enum(['basic', 'advanced']),
  is_public: z.boolean(),
  owners: z.array(email).min(1),
  registration_time: isoDate,
  workflows: z.array(seedWorkflowSchema).min(1),
});
export type SeedProject = z.infer<typeof seedProjectSchema>;

const seedComponentSchema = z
  .strictObject({
    index: z.uuid({ message: 'expected a UUID' }),
    component_type: z.enum(COMPONENT_TYPES),
    title: z.string().optional(),
    dc: tag.optional(),
    column_name: z.string().min(1).optional(),
    aggregation: z.enum(['count', 'nunique', 'average', 'median', 'sum', 'min', 'max']).optional(),
    interactive_component_type: z
      .enum(['RangeSlider', 'Slider', 'MultiSelect', 'Select', 'SegmentedControl', 'DateRangePicker', 'Checkbox', 'Switch'])
      .optional(),
    visu_type: z.string().min(1).optional(),
    dict_kwargs: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    selected_module: z.string().optional(),
    selected_plot: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    const need = (field: keyof typeof c, why: string) => {
      if (c[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required: ${why}` });
    };
    if (c.component_type === 'text') {
      if (c.dc !== undefined) ctx.addIssue({ code: 'custom', path: ['dc'], message: 'a text component has no data collection' });
      return;
    }
    need('dc', `a ${c.component_type} component reads a data collection`);
    if (c.component_type === 'card') {
      need('column_name', 'a card aggregates one column');
      need('aggregation', 'a card needs its aggregation');
    }
    if (c.component_type === 'interactive') {
      need('column_name', 'an interactive component filters one column');
      need('interactive_component_type', 'an interactive component needs its kind');
    }
    if (c.component_type === 'figure') {
      need('visu_type', 'a figure needs its plot type');
      need('dict_kwargs', 'a figure needs its columns');
    }
    if (c.component_type === 'multiqc') {
      need('selected_module', 'a multiqc component shows one module');
      need('selected_plot', 'a multiqc component shows one plot');
    }
  });
export type SeedComponent = z.infer<typeof seedComponentSchema>;

const seedDashboardSchema = z.strictObject({
  _id: objectIdHexSchema,
  title: z.string().min(1),
  parent: objectIdHexSchema.optional(),
  tab_order: z.number().int().nonnegative(),
  components: z.array(seedComponentSchema),
});
export const seedDashboardsSchema = z.array(seedDashboardSchema).min(1);
export type SeedDashboard = z.infer<typeof seedDashboardSchema>;

export const PASSWORD_SOURCES = ['ADMIN_PASSWORD', 'TEST_USER_PASSWORD'] as const;

export const seedUsersSchema = z.strictObject({
  users: z
    .array(
      z.strictObject({
        _id: objectIdHexSchema,
        email,
        is_admin: z.boolean(),
        /** The configuration variable holding this user's password; never a password itself. */
        password_from: z.enum(PASSWORD_SOURCES),
      }),
    )
    .min(1),
  groups: z.array(z.strictObject({ _id: objectIdHexSchema, name: z.string().min(1), members: z.array(email) })),
});
export type SeedUsers = z.infer<typeof seedUsersSchema>;
