import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { runGuarded, type GuardDeps } from '../../lib/auth/action-guard';
import { createSessionToken } from '../../lib/auth/session';
import { INIT_HISTORY } from '../../lib/db/collections';
import { recordAdminAction } from '../../lib/history/admin-actions';
import { useTestDb } from '../support/db';
import { SEEDED_ADMIN, SEEDED_VIEWER } from '../support/session';

const { db } = useTestDb(import.meta.url);
const secret = new TextEncoder().encode('refused-actions-secret-refused-actions');
const deps = (): GuardDeps => ({ secret: () => secret, isCurrent: async () => true, db: async () => db(), audit: (entry) => recordAdminAction(db(), entry) });
const reseed = { name: 'reseed', access: 'admin' as const, schema: z.object({ confirm_database: z.string() }), handler: async () => ({ ok: true as const }) };

describe('refused admin actions in the history', () => {
  it('a viewer calling an admin action 300 times: one document per minute with the count, not 300', async () => {
    const token = await createSessionToken(SEEDED_VIEWER, { secret, maxAgeMs: 60_000 });
    const started = Date.now();
    // In parallel too: concurrent first refusals in one minute still make one document.
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => runGuarded(reseed, token, { confirm_database: 'x' }, deps())));
      for (const answer of answers) expect(answer).toMatchObject({ ok: false, code: 'forbidden' });
    }
    const minutes = Math.floor(Date.now() / 60_000) - Math.floor(started / 60_000) + 1;
    const recorded = await db().collection(INIT_HISTORY).find({ event: 'admin-action', 'detail.by': SEEDED_VIEWER.email }).toArray();
    expect(recorded.length).toBeGreaterThanOrEqual(1);
    expect(recorded.length).toBeLessThanOrEqual(minutes);
    expect(recorded.reduce((n, doc) => n + (doc.detail.count as number), 0)).toBe(300);
    expect(recorded[0]).toMatchObject({
      worker_id: `admin:${SEEDED_VIEWER.email}`,
      detail: { action: 'reseed', outcome: 'forbidden', role: 'viewer', actions: ['reseed'] },
    });
  });

  it('caps what one record keeps of its input, whatever the caller sends', async () => {
    const viewer = await createSessionToken({ ...SEEDED_VIEWER, email: 'big-input@example.com' }, { secret, maxAgeMs: 60_000 });
    const admin = await createSessionToken(SEEDED_ADMIN, { secret, maxAgeMs: 60_000 });
    const huge = { confirm_database: 'y'.repeat(300_000), ['k'.repeat(5_000)]: 'v'.repeat(5_000), nested: Array.from({ length: 2_000 }, (_, i) => ({ i })) };
    await runGuarded(reseed, viewer, huge, deps());
    // An admin's invalid input: its zod issues are bounded too.
    const strict = { ...reseed, schema: z.strictObject({ confirm_database: z.string().max(10) }) };
    await runGuarded(strict, admin, huge, deps());
    const docs = await db()
      .collection(INIT_HISTORY)
      .find({ event: 'admin-action', 'detail.by': { $in: ['big-input@example.com', SEEDED_ADMIN.email] } })
      .toArray();
    expect(docs).toHaveLength(2);
    for (const doc of docs) expect(JSON.stringify(doc).length, JSON.stringify(doc).slice(0, 200)).toBeLessThan(3_000);
  });
});
