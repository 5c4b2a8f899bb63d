import { loadProjects } from '@/lib/console/projects';
import { sharedDb } from '@/lib/db/client';
import { guarded } from '@/lib/http/guard';

export const dynamic = 'force-dynamic';

export const GET = guarded(async () => Response.json(await loadProjects(await sharedDb())));
