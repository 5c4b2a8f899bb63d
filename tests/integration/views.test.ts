/**
 * Every console view's loader against a real database, read back as the browser reads it: its
 * JSON parsed with the view's schema (lib/console/views.ts) gives back exactly what the loader
 * made, so a loader and its schema cannot drift apart (a field one has and the other lacks, a Date
 * where the schema says ISO string). And the overview's lease verdict is the database's.
 */
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loadAudit } from '../../lib/console/audit-view';
import { loadDrill } from '../../lib/console/drill';
import { drillViewSchema } from '../../lib/console/drill-view';
import { historyMatch, queryEvents } from '../../lib/console/history-query';
import { loadOverview } from '../../lib/console/overview';
import { loadProjects } from '../../lib/console/projects';
import { listRuns } from '../../lib/console/runs';
import { loadStatus } from '../../lib/console/status';
import { auditViewSchema, eventsPageSchema, overviewViewSchema, projectsViewSchema, runsPageSchema, statusViewSchema } from '../../lib/console/views';
import { startEmulator } from '../../lib/db/embedded';
import { fencingNotice } from '../../lib/db/fencing-notice';
import { ServerClock } from '../../lib/db/server-clock';
import { HttpError } from '../../lib/http/guard';
import { acquireLease } from '../../lib/lock/lease';
import { runCli } from '../support/cli';
import { mongoUri, useTestDb } from '../support/db';
import { TEST_PASSWORDS } from '../support/seeds';

const { db, dbName } = useTestDb(import.meta.url);

/** What the browser gets: the loader's value through JSON, parsed with the view's schema. */
function overTheWire<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return schema.parse(JSON.parse(JSON.stringify(value)));
}

describe('the console views, loader and schema', () => {
  it('each loader makes exactly what its schema reads back, after a 3-worker boot', async () => {
    const boot = await runCli('workers', ['-n', '3', '--wipe', '--generation', 'views-g1'], { MONGODB_URI: mongoUri(), MONGODB_DB: dbName, ...TEST_PASSWORDS });
    expect(boot.code, boot.stderr || boot.stdout).toBe(0);

    const overview = await loadOverview(db());
    expect(overTheWire(overviewViewSchema, overview)).toEqual(overview);
    expect(overview.last_run?.workers).toBe(3);
    expect(overview.state?.status).toBe('complete');

    const runs = await listRuns(db(), { match: historyMatch({}), skip: 0, limit: 5 });
    expect(overTheWire(runsPageSchema, runs)).toEqual(runs);
    expect(runs.runs[0]?.events.length).toBeGreaterThan(0);

    const events = await queryEvents(db(), {}, { limit: 10 });
    expect(overTheWire(eventsPageSchema, events)).toEqual(events);
    expect(events.events).toHaveLength(10);

    const projects = await loadProjects(db());
    expect(overTheWire(projectsViewSchema, projects)).toEqual(projects);
    expect(projects.projects.length).toBeGreaterThan(0);

    const audit = await loadAudit(db());
    expect(overTheWire(auditViewSchema, audit)).toEqual(audit);

    const status = await loadStatus(db());
    expect(overTheWire(statusViewSchema, status)).toEqual({ reachable: true, error: null, active: false });

    const drill = await loadDrill(db());
    expect(overTheWire(drillViewSchema, drill)).toEqual({ job: null });
  });

  it('the overview names the topology: a standalone (fencing best-effort) on the default server, a replica set on the replica-set emulator', async () => {
    const standalone = overTheWire(overviewViewSchema, await loadOverview(db()));
    expect(standalone).toMatchObject({ topology: 'standalone', transactional_fencing: false });
    expect(fencingNotice(standalone.topology)).toMatch(/^MongoDB is a standalone: fencing is best-effort .*replica set/);

    const server = await startEmulator({ replSet: 'rs-views' });
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 10_000, monitorCommands: true });
    const hellos: string[] = [];
    client.on('commandStarted', (event) => event.commandName === 'hello' && hellos.push(event.commandName));
    try {
      const replicaSet = overTheWire(overviewViewSchema, await loadOverview(client.db(dbName)));
      expect(replicaSet).toMatchObject({ topology: 'replica-set', transactional_fencing: true });
      await loadOverview(client.db(dbName));
      // The topology rides on the clock's hello: one per load, none of its own.
      expect(hellos).toHaveLength(2);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a view of another shape is refused, not shown', () => {
    const good = { reachable: true, error: null, active: false };
    expect(statusViewSchema.safeParse(good).success).toBe(true);
    expect(statusViewSchema.safeParse({ ...good, active: 'yes' }).success).toBe(false);
    expect(overviewViewSchema.safeParse({ server_time: new Date().toISOString() }).success).toBe(false);
  });

  it('the overview judges the lease on the database clock: live while held, not live once expired', async () => {
    const clock = new ServerClock(db());
    const holder = { worker_id: 'views-holder', host: 'h', pid: 1, version: 't', run_id: 'views-run', generation: 'views-g2' };
    const attempt = await acquireLease(db(), clock, holder, 1_500);
    expect(attempt.acquired).toBe(true);
    const held = await loadOverview(db());
    expect(held.lock?.holder?.worker_id).toBe('views-holder');
    expect(held.lease_live).toBe(true);
    expect(held.active).toBe(true);
    expect((await loadStatus(db())).active).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const expired = await loadOverview(db());
    // Still the holder on record, but no longer live: the lock card says expired from this alone.
    expect(expired.lock?.holder?.worker_id).toBe('views-holder');
    expect(expired.lease_live).toBe(false);
  });

  it('a dashboard or a drill that does not exist is a 404 in the guard’s words', async () => {
    await expect(loadAudit(db(), '0123456789abcdef01234567')).rejects.toEqual(new HttpError(404, 'no dashboard with id 0123456789abcdef01234567'));
    await expect(loadDrill(db(), 'drill-none')).rejects.toEqual(new HttpError(404, 'no drill drill-none'));
  });
});
