import { componentColumns } from '../schemas/component-columns';
import { idHex } from '../db/id-hex';
import { joinKey, type DcIndex, type DcInfo } from './dc-index';
import { inFormOf, toStored } from './stored-value';
import type { ComponentLocation, ComponentSuggestion, SuggestedFix } from './types';

/**
 * Suggested fixes from evidence: what the component's own snapshot and the database say the
 * right value is. Never a guess: without evidence, or with evidence that disagrees with itself,
 * the answer is "no fix known" with what was looked at.
 */

/** What validation found wrong with a component, in the terms the suggester can act on. */
export type Finding =
  /** dc_id is null or missing on a component that shows data. */
  | { kind: 'dc-absent' }
  /** dc_id is the legacy joined form `A--B`. */
  | { kind: 'dc-legacy'; stored: string }
  /** dc_id is neither an ObjectId nor 24-hex text. */
  | { kind: 'dc-malformed' }
  /** dc_id is 24-hex but no DC has it. */
  | { kind: 'dc-unknown' }
  /** dc_id is a DC of another project than the dashboard's. */
  | { kind: 'dc-foreign' }
  /** wf_id is not the workflow of the DC the component names. */
  | { kind: 'wf-mismatch'; dc: DcInfo }
  /** dc_config._id is not the dc_id. */
  | { kind: 'config-id-stale'; dc: DcInfo }
  /** A snapshot tag (both, when they agree) that names another DC than the dc_id's. */
  | { kind: 'tag-mismatch'; tag: string; dc: DcInfo }
  /** A text tile bound to a DC. */
  | { kind: 'text-bound' }
  /** Anything else: no fix is known for it; `looked` says what was looked at. */
  | { kind: 'other'; looked: string };

export interface SuggestContext {
  index: DcIndex;
  /** The dashboard tab's project (hex), when it names a valid one. */
  projectId: string | null;
  location: ComponentLocation;
}

type Loose = Record<string, unknown>;
const asObject = (value: unknown): Loose | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : null);

/** The DCs of each project by tag, built once per index (the suggester runs only on broken components). */
const tagsByIndex = new WeakMap<DcIndex, Map<string, Map<string, DcInfo[]>>>();
function dcsWithTag(index: DcIndex, projectId: string, tag: string): DcInfo[] {
  let byProject = tagsByIndex.get(index);
  if (!byProject) {
    byProject = new Map();
    for (const dc of index.dcs.values()) {
      let tags = byProject.get(dc.projectId);
      if (!tags) byProject.set(dc.projectId, (tags = new Map()));
      const list = tags.get(dc.tag);
      if (list) list.push(dc);
      else tags.set(dc.tag, [dc]);
    }
    tagsByIndex.set(index, byProject);
  }
  return byProject.get(projectId)?.get(tag) ?? [];
}

interface Evidence {
  dc: DcInfo;
  sources: string[];
}

/**
 * The DC of the dashboard's project that the component's snapshot names: by `dc_config._id`,
 * `dc_config.data_collection_tag` and `data_collection_tag`. One DC named by all evidence found,
 * or null with what was looked at.
 */
function snapshotTarget(c: Loose, ctx: SuggestContext, looked: string[]): Evidence | null {
  const { index, projectId } = ctx;
  if (!projectId || !index.projects.has(projectId)) {
    looked.push("the dashboard's project: the tab names none that exists, so no DC of it can be named");
    return null;
  }
  const projectName = index.projects.get(projectId)!.name;
  const named = new Map<string, Evidence>();
  const note = (dc: DcInfo, source: string) => {
    const found = named.get(dc.id);
    if (found) found.sources.push(source);
    else named.set(dc.id, { dc, sources: [source] });
  };
  const snapshot = asObject(c.dc_config);
  const snapshotId = snapshot ? idHex(snapshot._id) : null;
  if (snapshotId) {
    const dc = index.dcs.get(snapshotId);
    if (dc && dc.projectId === projectId) note(dc, `dc_config._id ${snapshotId}`);
    else looked.push(`dc_config._id ${snapshotId}: ${dc ? `a DC of another project than "${projectName}"` : 'no DC has it'}`);
  } else looked.push('dc_config._id: absent');
  for (const [field, value] of [
    ['dc_config.data_collection_tag', snapshot?.data_collection_tag],
    ['data_collection_tag', c.data_collection_tag],
  ] as const) {
    if (typeof value !== 'string' || value === '') {
      looked.push(`${field}: absent`);
      continue;
    }
    const dcs = dcsWithTag(index, projectId, value);
    if (dcs.length === 1) note(dcs[0]!, `${field} "${value}"`);
    else looked.push(`${field} "${value}": ${dcs.length === 0 ? 'no' : `${dcs.length}`} DCs of project "${projectName}" have this tag`);
  }
  if (named.size === 1) return [...named.values()][0]!;
  if (named.size > 1) {
    looked.push(`the snapshot names ${named.size} different DCs: ${[...named.values()].map((e) => `${e.dc.tag} (${e.sources.join(', ')})`).join('; ')}`);
  }
  return null;
}

/** The fixes that make the component consistent with `target` once its dc_id names it: its wf_id and its snapshot id. */
function followUps(c: Loose, target: DcInfo, because: string): SuggestedFix[] {
  const fixes: SuggestedFix[] = [];
  if (c.wf_id !== undefined && c.wf_id !== null && idHex(c.wf_id) !== target.workflowId) {
    const before = toStored(c.wf_id);
    fixes.push({
      field: 'wf_id',
      before,
      after: inFormOf(before, target.workflowId),
      reason: `${because}; its workflow is ${target.workflowId}`,
      confidence: 'high',
    });
  }
  const snapshot = asObject(c.dc_config);
  if (snapshot && snapshot._id !== undefined && snapshot._id !== null && idHex(snapshot._id) !== target.id) {
    const before = toStored(snapshot._id);
    fixes.push({
      field: 'dc_config._id',
      before,
      after: inFormOf(before, target.id),
      reason: `${because}; the snapshot follows the dc_id`,
      confidence: 'high',
    });
  }
  return fixes;
}

function dcFix(c: Loose, target: DcInfo, reason: string, confidence: SuggestedFix['confidence']): SuggestedFix[] {
  const before = toStored(c.dc_id);
  const fix: SuggestedFix = { field: 'dc_id', before, after: inFormOf(before, target.id), reason, confidence };
  return [fix, ...followUps(c, target, `dc_id becomes DC ${target.tag} (${target.id})`)];
}

function legacyFix(c: Loose, stored: string, index: DcIndex, looked: string[]): SuggestedFix[] | null {
  const hexes = stored.split('--').map(idHex);
  if (hexes.some((h) => h === null)) {
    looked.push(`dc_id "${stored}": a part is not a 24-hex id, so no join can be looked up`);
    return null;
  }
  const join = index.joins.get(joinKey(hexes as string[]));
  if (!join) {
    looked.push(`join DCs: none joins ${hexes.join(' and ')}`);
    return null;
  }
  return dcFix(c, join, `the legacy id "${stored}" joins ${hexes.join(' and ')}; join DC ${join.tag} (${join.id}) joins exactly these`, 'high');
}

function confidenceOf(evidence: Evidence): SuggestedFix['confidence'] {
  // The snapshot's own id is exact; a tag alone could have been reused, unless two sources agree.
  return evidence.sources.length > 1 || evidence.sources[0]!.startsWith('dc_config._id') ? 'high' : 'medium';
}

/**
 * A dc_id that is a DC, but not the one the component was made for: its snapshot tag names another
 * DC of the dashboard's project, and the columns settle it — the component reads columns the
 * current DC lacks and the tagged DC has them all (ObjectIds reused by a later release do this).
 */
function retagFix(c: Loose, finding: Extract<Finding, { kind: 'tag-mismatch' }>, ctx: SuggestContext, looked: string[]): SuggestedFix[] | null {
  const candidates = ctx.projectId ? dcsWithTag(ctx.index, ctx.projectId, finding.tag) : [];
  const target = candidates.length === 1 ? candidates[0]! : null;
  if (!target || target.id === finding.dc.id) {
    looked.push(`snapshot tag "${finding.tag}": ${candidates.length === 0 ? 'no' : candidates.length} DCs of the dashboard's project have it`);
    return null;
  }
  const uses = componentColumns(c).filter((use) => !use.dcField);
  const lacking = finding.dc.columns ? uses.filter((use) => !finding.dc.columns!.has(use.column)) : [];
  const fits = target.columns !== null && uses.every((use) => target.columns!.has(use.column));
  if (lacking.length === 0 || !fits) {
    looked.push(`snapshot tag "${finding.tag}" names DC ${target.tag} (${target.id}), but the component's columns do not show it was made for that DC`);
    return null;
  }
  const columns = [...new Set(lacking.map((use) => use.column))].map((name) => `"${name}"`).join(', ');
  return dcFix(
    c,
    target,
    `the snapshot tag "${finding.tag}" names DC ${target.tag} of the dashboard's project, which has ${columns} that DC ${finding.dc.tag} lacks`,
    'medium',
  );
}

/** The suggestion for a component with these findings; null when it has none. */
export function suggestFixes(raw: unknown, findings: readonly Finding[], ctx: SuggestContext): ComponentSuggestion | null {
  if (findings.length === 0) return null;
  const c = (asObject(raw) ?? {}) as Loose;
  const looked: string[] = [];
  const fixes: SuggestedFix[] = [];
  const fixed = new Set<string>();
  const push = (list: SuggestedFix[] | null) => {
    for (const fix of list ?? []) {
      if (fixed.has(fix.field)) continue;
      fixed.add(fix.field);
      fixes.push(fix);
    }
  };

  for (const finding of findings) {
    switch (finding.kind) {
      case 'text-bound':
        push([
          {
            field: 'dc_id',
            before: toStored(c.dc_id),
            after: null,
            reason: 'a text tile shows no data: the platform does not bind text components to a data collection',
            confidence: 'high',
          },
        ]);
        break;
      case 'dc-legacy':
        push(legacyFix(c, finding.stored, ctx.index, looked));
        break;
      case 'dc-absent':
      case 'dc-malformed':
      case 'dc-unknown':
      case 'dc-foreign': {
        const evidence = snapshotTarget(c, ctx, looked);
        if (!evidence) break;
        // A DC of another project is a real DC: the dashboard's project may be what is wrong, so at most medium.
        const confidence = finding.kind === 'dc-foreign' ? 'medium' : confidenceOf(evidence);
        push(
          dcFix(c, evidence.dc, `the component's snapshot names DC ${evidence.dc.tag} of the dashboard's project (${evidence.sources.join(', ')})`, confidence),
        );
        break;
      }
      case 'tag-mismatch':
        push(retagFix(c, finding, ctx, looked));
        break;
      case 'wf-mismatch':
        // Relative to the current DC; a dc_id fix already brought the wf_id along to its new DC.
        if (fixed.has('dc_id')) break;
        push(followUps(c, finding.dc, `DC ${finding.dc.tag} (${finding.dc.id}) is the component's dc_id`).filter((f) => f.field === 'wf_id'));
        break;
      case 'config-id-stale':
        // The platform's own seeding (db_init) rewrites such a snapshot id to the dc_id; a dc_id fix brought it along.
        if (fixed.has('dc_id')) break;
        push(followUps(c, finding.dc, `DC ${finding.dc.tag} (${finding.dc.id}) is the component's dc_id`).filter((f) => f.field === 'dc_config._id'));
        break;
      case 'other':
        looked.push(finding.looked);
        break;
    }
  }
  if (fixes.length > 0) return { none: false, location: ctx.location, fixes };
  return { none: true, looked_at: looked.length > 0 ? [...new Set(looked)] : ['the component and its snapshot: nothing names a replacement'] };
}
