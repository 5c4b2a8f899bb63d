'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { ProjectSeed } from '@/lib/console/views';
import { useLive } from './live-query';
import { projectsQuery } from './queries';
import { ReseedProjectButton, ReseedProjectDialog } from './reseed-project-dialog';
import { Card } from './ui/card';
import { CopyValue } from './ui/copy-button';
import { LocalTime } from './ui/local-time';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, RowHeader, Table } from './ui/table';
import { UnreachableBanner } from './unreachable-banner';

/** Whether the folder changed since the last seeding, in words. */
const FOLDER_STATE: Record<ProjectSeed['folder_state'], string> = {
  unchanged: 'unchanged since that seeding',
  changed: 'changed since that seeding (its seed files differ from what was seeded)',
  unknown: 'not known (no digest recorded for this project)',
  removed: 'no longer in the seeds',
  unreadable: 'seed folder not readable',
  'not-from-folder': 'not seeded from a folder',
};

/** A seed folder ships it: a per-project reseed can write it again (the plan says if the seeds do not load). */
const reseedable = (seed: ProjectSeed) => seed.folder_state !== 'not-from-folder' && seed.folder_state !== 'removed';

/** Where a project came from: its seed folder, when and by which run it was last seeded, and whether the folder changed since. */
function SeedProvenance({ seed, name }: { seed: ProjectSeed; name: string }) {
  if (seed.folder_state === 'not-from-folder') return <p className="mb-3 text-sm">Not seeded from a folder.</p>;
  return (
    <dl aria-label={`Seed provenance of ${name}`} className="mb-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
      <div>
        <dt className="inline text-zinc-600 dark:text-zinc-400">Seed folder </dt>
        <dd className="inline font-mono">{seed.folder ?? '—'}</dd>
      </div>
      <div>
        <dt className="inline text-zinc-600 dark:text-zinc-400">Last seeded </dt>
        <dd className="inline">
          {seed.last_seeded ? (
            <>
              <LocalTime iso={seed.last_seeded.at} /> by run{' '}
              <Link className="font-mono underline" href={`/workers?run=${encodeURIComponent(seed.last_seeded.run_id)}`}>
                {seed.last_seeded.run_id}
              </Link>
            </>
          ) : (
            'no seeding recorded'
          )}
        </dd>
      </div>
      <div>
        <dt className="inline text-zinc-600 dark:text-zinc-400">Folder </dt>
        <dd className={seed.folder_state === 'unchanged' ? 'inline' : 'inline font-semibold'}>{FOLDER_STATE[seed.folder_state]}</dd>
      </div>
    </dl>
  );
}

export function ProjectsLive({ serverError, admin }: { serverError: string | null; admin: boolean }) {
  const { data, error } = useLive(projectsQuery());
  // The project whose Reseed dialog is open: held here, so the dialog outlives the card (the reseed removes the project for a moment).
  // Each opening is a new dialog (`opened`): a late close event of the previous one cannot close it.
  const [reseeding, setReseeding] = useState<{ id: string; name: string; opened: number } | null>(null);
  const [openings, setOpenings] = useState(0);
  const problem = error?.message ?? (!data ? serverError : null);
  return (
    <div className="space-y-4">
      <UnreachableBanner error={problem} />
      {data && data.projects.length === 0 && <p className="text-sm">No projects: the database has not been seeded.</p>}
      {data?.projects.map((project) => (
        <Card
          key={project.id}
          title={project.name}
          id={`project-${project.id}`}
          actions={
            admin &&
            reseedable(project.seed) && (
              <ReseedProjectButton
                project={project}
                onOpen={() => {
                  setOpenings(openings + 1);
                  setReseeding({ id: project.id, name: project.name, opened: openings + 1 });
                }}
              />
            )
          }
        >
          <SeedProvenance seed={project.seed} name={project.name} />
          <dl className="mb-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
            <div>
              <dt className="inline text-zinc-600 dark:text-zinc-400">Id </dt>
              <dd className="inline">
                <CopyValue value={project.id} label={`id of project ${project.name}`} />
              </dd>
            </div>
            <div>
              <dt className="inline text-zinc-600 dark:text-zinc-400">Type </dt>
              <dd className="inline">{project.project_type ?? '—'}</dd>
            </div>
            <div>
              <dt className="inline text-zinc-600 dark:text-zinc-400">Visibility </dt>
              <dd className="inline">{project.is_public ? 'public' : 'private'}</dd>
            </div>
            <div>
              <dt className="inline text-zinc-600 dark:text-zinc-400">Owners </dt>
              <dd className="inline">{project.owners.join(', ') || '—'}</dd>
            </div>
          </dl>
          {project.workflows.map((wf) => (
            <section key={wf.id} aria-label={`Workflow ${wf.name}`} className="mb-3 last:mb-0">
              <h3 className="mb-2 text-sm font-semibold">
                Workflow {wf.name} <span className="font-normal text-zinc-600 dark:text-zinc-400">({[wf.tag, wf.engine].filter(Boolean).join(', ')})</span>{' '}
                <CopyValue value={wf.id} label={`id of workflow ${wf.name}`} />
              </h3>
              <Table caption={`Data collections of workflow ${wf.name}`} columns={['DC tag', 'DC id', 'Type', 'Columns', 'Registration', 'Used by']}>
                {wf.dcs.map((dc) => (
                  <Row key={dc.id}>
                    <RowHeader>{dc.tag}</RowHeader>
                    <Cell>
                      <CopyValue value={dc.id} label={`id of DC ${dc.tag}`} />
                    </Cell>
                    <Cell>
                      {dc.type}
                      {dc.source === 'joined' ? ' (joined)' : ''}
                      {dc.metatype ? `, ${dc.metatype}` : ''}
                    </Cell>
                    <Cell className="max-w-xs text-xs">{dc.columns.join(', ') || '—'}</Cell>
                    <Cell>
                      <StatusBadge status={dc.registration === 'n/a' ? 'n/a' : dc.registration} />
                    </Cell>
                    <Cell>
                      {dc.used_by.length === 0 ? (
                        <StatusBadge status="unused" label="unused by any component" />
                      ) : (
                        <ul>
                          {dc.used_by.map((u) => (
                            <li key={u.dashboard_id}>
                              <Link className="underline" href={`/dashboards/${u.dashboard_id}`}>
                                {u.title}
                              </Link>{' '}
                              <span className="text-zinc-600 dark:text-zinc-400">({u.components})</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </Cell>
                  </Row>
                ))}
              </Table>
            </section>
          ))}
        </Card>
      ))}
      {admin && reseeding && (
        <ReseedProjectDialog
          key={reseeding.opened}
          project={reseeding}
          onClosed={() => setReseeding((current) => (current?.opened === reseeding.opened ? null : current))}
        />
      )}
    </div>
  );
}
