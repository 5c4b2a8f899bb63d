import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { runAuditBench, syntheticDashboards } from '../../bench/audit';
import { auditDashboards } from '../../lib/audit/audit-dashboards';
import { auditCsv } from '../../lib/audit/csv';
import { suggestionText } from '../../lib/audit/suggestion-text';
import { buildDcIndex } from '../../lib/audit/dc-index';
import { summarize } from '../../lib/audit/run-audit';
import { auditReportSchema, type AuditReport } from '../../lib/audit/types';
import { componentColumns } from '../../lib/schemas/component-columns';

const P = '65a000000000000000000001';
const WF = '65a000000000000000000002';
const DC = '65a000000000000000000003';
const JOIN = '65a000000000000000000004';
const OTHER = '65a000000000000000000005';
const ADMIN = { _id: new ObjectId('65a0000000000000000000a1'), email: 'admin@example.com', is_admin: true };
const ALICE = { _id: new ObjectId('65a0000000000000000000a2'), email: 'alice@example.com', is_admin: false };
const BOB = { _id: new ObjectId('65a0000000000000000000a3'), email: 'bob@example.com', is_admin: false };

function index(options: { isPublic?: boolean; editors?: unknown[] } = {}) {
  const table = (id: string, tag: string, extra: object = {}) => ({
    _id: new ObjectId(id),
    data_collection_tag: tag,
    config: { type: 'table', dc_specific_properties: { columns_description: { a: '', b: '' } }, ...extra },
  });
  return buildDcIndex(
    [
      {
        _id: new ObjectId(P),
        name: 'Project',
        is_public: options.isPublic ?? true,
        permissions: { owners: [ADMIN], editors: options.editors ?? [], viewers: [] },
        workflows: [
          {
            _id: new ObjectId(WF),
            name: 'wf',
            data_collections: [table(DC, 'left'), table(OTHER, 'right'), table(JOIN, 'both', { join: { with_dc: [new ObjectId(DC), new ObjectId(OTHER)] } })],
          },
        ],
      },
    ],
    { deltatables: [DC, OTHER, JOIN].map((id) => ({ data_collection_id: new ObjectId(id) })) },
  );
}

const component = (i: number, extra: object = {}) => ({
  index: `c${i}`,
  component_type: 'card',
  dc_id: new ObjectId(DC),
  wf_id: new ObjectId(WF),
  column_name: 'a',
  ...extra,
});
const tab = (id: string, parent: unknown, components: object[], extra: object = {}) => ({
  _id: id,
  title: `tab ${id.slice(-2)}`,
  project_id: new ObjectId(P),
  parent_dashboard_id: parent,
  tab_order: 0,
  permissions: { owners: [ADMIN] },
  stored_metadata: components,
  ...extra,
});
const report = (docs: unknown[], idx = index()): AuditReport => {
  const dashboards = [...auditDashboards(idx, docs)];
  return auditReportSchema.parse({ dashboards, summary: summarize(dashboards) });
};

describe('auditDashboards (in memory)', () => {
  it('groups the tabs of a dashboard that arrive together in any order, ids as ObjectIds or hex strings, main tab first', () => {
    const main = '65b000000000000000000001';
    const r = report([
      tab('65b000000000000000000003', main.toUpperCase(), [component(3)], { tab_order: 2 }),
      tab('65b000000000000000000002', new ObjectId(main), [component(2)], { tab_order: 1 }),
      { ...tab(main, null, [component(1)]), _id: new ObjectId(main) },
      tab('65b000000000000000000009', null, [component(9)]),
    ]);
    expect(r.dashboards.map((d) => [d.id, d.tabs.map((t) => t.id)])).toEqual([
      [main, [main, '65b000000000000000000002', '65b000000000000000000003']],
      ['65b000000000000000000009', ['65b000000000000000000009']],
    ]);
    expect(r.summary).toMatchObject({ dashboards: 2, components: 4, valid: 4 });
  });

  it('streams: a dashboard is reported before the next ones are read', () => {
    let read = 0;
    function* docs() {
      for (let i = 0; i < 1000; i += 1) {
        read += 1;
        yield tab(`65c${String(i).padStart(21, '0')}`, null, [component(i)]);
      }
    }
    const first = auditDashboards(index(), docs()).next();
    expect(first.value?.components).toHaveLength(1);
    expect(read).toBe(2);
  });

  it('names the join DC that replaces a legacy A--B dc_id, in either order', () => {
    const r = report([tab('65b000000000000000000001', null, [component(1, { dc_id: `${OTHER}--${DC}` })])]);
    const row = r.dashboards[0]!.components[0]!;
    expect(row.status).toBe('error');
    expect(row.reasons[0]).toContain(`(right + left)`);
    expect(row.reasons[0]).toContain(`join DC both (${JOIN})`);
  });

  it('checks every owner of a private project: names the one who cannot see it; no owner at all is an error too', () => {
    const idx = index({ isPublic: false, editors: [ALICE] });
    const ok = report([tab('65b000000000000000000001', null, [component(1)], { permissions: { owners: [ALICE, ADMIN] } })], idx);
    expect(ok.summary.error).toBe(0);
    const blind = report([tab('65b000000000000000000001', null, [component(1)], { permissions: { owners: [ALICE, BOB] } })], idx);
    const reason = blind.dashboards[0]!.components[0]!.reasons.join(' ');
    expect(reason).toContain('owner bob@example.com cannot see project "Project"');
    expect(reason).not.toContain('alice');
    expect(reason).toContain(`No projects containing Data Collection id ${DC} found for the current user`);
    const ownerless = report([tab('65b000000000000000000001', null, [component(1)], { permissions: {} })], idx);
    expect(ownerless.dashboards[0]!.components[0]!.reasons[0]).toContain('has no owner');
  });

  it('keeps every reason, errors first, and the worst status', () => {
    const r = report([
      tab(
        '65b000000000000000000001',
        null,
        [component(1, { column_name: 'zz', data_collection_tag: 'old', dc_config: { _id: new ObjectId(DC), type: 'multiqc' } })],
        {
          project_id: 'not-an-id',
        },
      ),
    ]);
    const row = r.dashboards[0]!.components[0]!;
    expect(row.status).toBe('error');
    expect(row.reasons).toEqual([
      'tab "tab 01" names no valid project_id (not-an-id)',
      `snapshot tag "old" disagrees with DC ${DC}, whose tag is "left"`,
      'dc_config type "multiqc" disagrees with DC left, whose type is "table"',
      `column "zz" (column_name) is not a column of DC left (${DC})`,
    ]);
  });
});

describe('componentColumns', () => {
  it("reads a UI figure's column arguments of dict_kwargs (strings and lists), nothing else; a card's column_name", () => {
    const figure = { component_type: 'figure', mode: 'ui', dict_kwargs: { x: 'b', path: ['c', 'd'], title: 'not a column', template: 'plotly', color: '' } };
    expect(componentColumns(figure)).toEqual([
      { field: 'dict_kwargs.x', column: 'b' },
      { field: 'dict_kwargs.path', column: 'c' },
      { field: 'dict_kwargs.path', column: 'd' },
    ]);
    expect(componentColumns({ component_type: 'card', column_name: 'a', aggregation: 'sum' })).toEqual([{ field: 'column_name', column: 'a' }]);
  });
});

describe('auditCsv', () => {
  it('writes one RFC 4180 row per component, quoting commas, quotes and line breaks, reasons joined with "; "', () => {
    const r = report([
      tab('65b000000000000000000001', null, [component(1, { title: 'Mean, "raw"\nvalues', column_name: 'zz', data_collection_tag: 'old' })], {
        title: 'Plain',
      }),
    ]);
    const csv = auditCsv(r);
    const [header, row, end] = csv.split('\r\n');
    expect(header).toBe(
      'dashboard_id,dashboard_title,tab_id,tab_title,index,position,component_type,title,dc_id,dc_tag,project_id,workflow,status,reasons,suggested_fix',
    );
    const reasons = `snapshot tag "old" disagrees with DC ${DC}, whose tag is "left"; column "zz" (column_name) is not a column of DC left (${DC})`;
    const fix = r.dashboards[0]!.components[0]!.suggestion;
    expect(fix).toMatchObject({ none: true });
    const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;
    expect(row).toBe(
      `65b000000000000000000001,Plain,65b000000000000000000001,Plain,c1,0,card,"Mean, ""raw""\nvalues",${DC},left,${P},wf,warning,` +
        `${quoted(reasons)},${quoted(suggestionText(fix!))}`,
    );
    expect(suggestionText(fix!)).toMatch(/^no fix known \(looked at: snapshot tag "old": no DCs of the dashboard's project have it; column "zz"/);
    expect(end).toBe('');
  });
});

describe('the benchmark input', () => {
  it('is 20 components per dashboard (main tab and one child tab), with every status represented', () => {
    const tabs = [...syntheticDashboards(3)];
    expect(tabs).toHaveLength(6);
    const run = runAuditBench(300, 1, 0);
    expect(run).toMatchObject({ dashboards: 300, components: 6_000 });
    expect(run.counts.valid + run.counts.warning + run.counts.error + run.counts.na).toBe(6_000);
    for (const status of ['valid', 'warning', 'error', 'na'] as const) expect(run.counts[status]).toBeGreaterThan(0);
  });
});
