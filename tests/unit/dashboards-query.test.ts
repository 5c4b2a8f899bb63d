import { describe, expect, it } from 'vitest';
import { attentionSummary, reasonKind, type DashboardDigest } from '../../lib/audit/digest';
import { dashboardsApiUrl, dashboardsQuerySchema, decodeCursor, encodeCursor, queryDashboards } from '../../lib/console/dashboards-query';
import type { AuditDigest } from '../../lib/audit/run-audit';

const digest = (id: string, title: string, reasons: Record<string, number> = {}): DashboardDigest => ({
  id,
  title,
  project_id: null,
  project_name: null,
  owners: [],
  tabs: 1,
  counts: { components: 1, valid: 1, warning: 0, error: 0, na: 0 },
  status: 'clean',
  reasons,
  last_saved: null,
});

describe('reason kinds', () => {
  it('take out ids, quoted names, DC tags and numbers, so that the same problem on two dashboards is one kind', () => {
    expect(reasonKind('dc_id 0123456789abcdef01234567 matches no data collection')).toBe(
      reasonKind('dc_id 65f0c3b2a1d4e5f6a7b8c9d0 matches no data collection'),
    );
    expect(reasonKind('column "bill" (column_name) is not a column of DC penguins (646b0f3c1e4a2d7f8e5b8c9f)')).toBe(
      'column "…" (column_name) is not a column of DC … (<id>)',
    );
    expect(reasonKind('snapshot tag "a" disagrees with DC 646b0f3c1e4a2d7f8e5b8c9f, whose tag is "b"')).toBe(
      'snapshot tag "…" disagrees with DC <id>, whose tag is "…"',
    );
  });

  it('the summary counts components and dashboards per kind, errors first', () => {
    const summary = attentionSummary([digest('a', 'A', { 'warning: w': 2, 'error: e': 1 }), digest('b', 'B', { 'error: e': 3 })]);
    expect(summary).toEqual([
      { key: 'error: e', status: 'error', reason: 'e', components: 4, dashboards: 2 },
      { key: 'warning: w', status: 'warning', reason: 'w', components: 2, dashboards: 1 },
    ]);
  });
});

describe('keyset cursors', () => {
  it('round-trip any text, and mean nothing under another sort or when garbled', () => {
    const cursor = encodeCursor('title', { value: 'Café "ü" / 10', id: 'x' });
    expect(decodeCursor('title', cursor)).toEqual({ value: 'Café "ü" / 10', id: 'x' });
    expect(decodeCursor('errors', cursor)).toBeUndefined();
    expect(decodeCursor('title', 'not-base64!')).toBeUndefined();
  });

  it('a garbled cursor starts from the first page; the URL carries only the list keys', () => {
    const audit: AuditDigest = {
      dashboards: [digest('2', 'b'), digest('1', 'a')],
      summary: { dashboards: 2, components: 2, valid: 2, warning: 0, error: 0, na: 0 },
      documents: { projects: 0, dashboards: 2 },
    };
    expect(queryDashboards(audit, dashboardsQuerySchema.parse({ after: 'garbage' })).rows.map((d) => d.id)).toEqual(['1', '2']);
    expect(dashboardsApiUrl(new URLSearchParams('q=x&other=1&sort=errors'))).toBe('/api/audit/list?q=x&sort=errors');
  });
});
