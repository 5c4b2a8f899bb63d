// First: zod must be jitless in the browser before any schema is made (see jitless-zod.ts).
import '../console/jitless-zod';
import { z } from 'zod';

/** What a route answers instead of its view when it refuses or fails (lib/http/guard.ts): the guard's words. */
export const errorBodySchema = z.object({ error: z.string() });
export type ErrorBody = z.infer<typeof errorBodySchema>;
