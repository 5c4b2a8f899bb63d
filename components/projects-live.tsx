'use client';

import Link from 'next/link';
import { useLive } from './live-query';
import { projectsQuery } from './queries';
import { Card } from './ui/card';
import { CopyValue } from './ui/copy-button';
import { StatusBadge } from './ui/status-badge';
import { Cell, Row, RowHeader, Table } from './ui/table';
import { UnreachableBanner } from './unreachable-banner';

export function ProjectsLive({ serverError }: { serverError: string | null }) {
  const { data, error } = useLive(projectsQuery());
  const problem = error?.message ?? (!data ? serverError : null);
  return (
    <div className="space-y-4">
      <UnreachableBanner error={problem} />
      {data && data.projects.length === 0 && <p className="text-sm">No projects: the database has not been seeded.</p>}
      {data?.projects.map((project) => (
        <Card key={project.id} title={project.name} id={`project-${project.id}`}>
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
    </div>
  );
}
