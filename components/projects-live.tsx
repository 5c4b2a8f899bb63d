'use client';

import Link from 'next/link';
import { useLive } from './live-query';
import { projectsQuery } from './queries';
import { Card } from './ui/card';
import { CopyValue } from './ui/copy-button';
import { StatusBadge } from './ui/status-badge';
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
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">Data collections of workflow {wf.name}</caption>
                  <thead className="border-b border-zinc-200 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
                    <tr>
                      <th scope="col" className="py-2 pr-3 font-medium">DC tag</th>
                      <th scope="col" className="py-2 pr-3 font-medium">DC id</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Type</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Columns</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Registration</th>
                      <th scope="col" className="py-2 font-medium">Used by</th>
                    </tr>
                  </thead>
                  <tbody>
                    {wf.dcs.map((dc) => (
                      <tr key={dc.id} className="border-b border-zinc-100 align-top dark:border-zinc-800">
                        <th scope="row" className="py-1.5 pr-3 text-left font-medium">{dc.tag}</th>
                        <td className="py-1.5 pr-3">
                          <CopyValue value={dc.id} label={`id of DC ${dc.tag}`} />
                        </td>
                        <td className="py-1.5 pr-3">
                          {dc.type}
                          {dc.source === 'joined' ? ' (joined)' : ''}
                          {dc.metatype ? `, ${dc.metatype}` : ''}
                        </td>
                        <td className="max-w-xs py-1.5 pr-3 text-xs">{dc.columns.join(', ') || '—'}</td>
                        <td className="py-1.5 pr-3">
                          <StatusBadge status={dc.registration === 'n/a' ? 'n/a' : dc.registration} />
                        </td>
                        <td className="py-1.5">
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
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
        </Card>
      ))}
    </div>
  );
}
