import { HydrationBoundary, dehydrate } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { prefetchView } from '@/app/_lib/prefetch';
import { requireSession } from '@/app/_lib/session';
import { getQueryClient } from '@/components/get-query-client';
import { ProjectsLive } from '@/components/projects-live';
import { projectsQuery } from '@/components/queries';
import { loadProjects } from '@/lib/console/projects';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Projects' };

export default async function ProjectsPage() {
  const session = await requireSession('/projects');
  const queryClient = getQueryClient();
  const serverError = await prefetchView(queryClient, projectsQuery(), loadProjects, '/projects');
  return (
    <>
      <PageHeader title="Projects" />
      <HydrationBoundary state={dehydrate(queryClient)}>
        {/* The Reseed controls are for admins; the actions check the role again. */}
        <ProjectsLive serverError={serverError} admin={session.role === 'admin'} />
      </HydrationBoundary>
    </>
  );
}
