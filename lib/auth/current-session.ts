import type { Db } from 'mongodb';
import { sharedDb } from '../db/client';
import { config, type Config } from '../env';
import { signedSessionFromRequest, type Session } from './session';
import { isSessionCurrent } from './session-store';

/**
 * The session of a web-standard Request: signed, unexpired, and not revoked (session-store.ts).
 * Null otherwise. Throws when the database cannot be reached (the caller answers 503).
 */
export async function sessionFromRequest(request: Request, options: { cfg?: Config; db?: () => Promise<Db> } = {}): Promise<Session | null> {
  const session = await signedSessionFromRequest(request, options.cfg ?? config());
  if (!session) return null;
  return (await isSessionCurrent(await (options.db ?? sharedDb)(), session)) ? session : null;
}
