import type { Metadata } from 'next';
import { requireSession } from '@/app/_lib/session';
import { ProjectsLive } from '@/components/projects-live';
import { loadInitial } from '@/lib/console/load-initial';
import { loadProjects } from '@/lib/console/projects';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Projects' };

export default async function ProjectsPage() {
  await requireSession('/projects');
  const initial = await loadInitial(async (db) => ({ projects: await loadProjects(db) }));
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Projects</h1>
      <ProjectsLive initial={initial.data} initialError={initial.error} />
    </>
  );
}
