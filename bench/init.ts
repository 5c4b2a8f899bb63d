import { randomBytes } from 'node:crypto';
import { MongoClient, type Document } from 'mongodb';
import { parseConfig } from '../lib/env';
import { runEvents } from '../lib/history/run-events';
import { tallyRun } from '../lib/history/run-tally';
import { launchWorkers } from '../lib/workers/launch';
import { listenerPid, sampleCpu } from './cpu-sampler';
import { serialDepth, startLatencyProxy, type LatencyProxy, type ProxiedCommand } from './latency-proxy';

export interface InitFigures {
  init_single_ms: number;
  init_single_wipe_seed_ms: number;
  init_16_ready_ms: number;
  init_ratio: number;
  init_16_target_ms: number;
  init_poll_ms: number;
  init_16_startup_ms: number;
  /** Of the 16 workers' time: until the holder completed, and from then until the last waiter was ready. */
  init_16_holder_done_ms: number;
  init_16_wake_ms: number;
  /**
   * The database process's CPU time in a run (the emulator: one thread, 10 ms ticks), and how busy
   * the machine's cores were during the 16 workers' race (this machine is shared: not only ours).
   */
  init_single_db_cpu_ms: number;
  init_16_db_cpu_ms: number;
  init_16_cores_busy_pct: number;
  init_single_rtt0_ms: number;
  init_single_rtt5_ms: number;
  init_single_rtt20_ms: number;
  /** At 20 ms per round trip: 10 round trips' worth more than with none. */
  init_single_rtt20_target_ms: number;
  init_16_rtt0_ms: number;
  init_16_rtt5_ms: number;
  init_16_rtt20_ms: number;
  /** The holder's commands from its first lock attempt to its last, and those paid one after another. */
  init_round_trips: number;
  init_round_trips_target: number;
  init_serial_round_trips: number;
  init_serial_round_trips_target: number;
  /** What the run sends once released (its last history events), and the serial depth with it. */
  init_round_trips_after_release: number;
  init_serial_round_trips_with_after: number;
  /**
   * Through the proxy at no added latency, first lock attempt to release answered: the holder
   * alone; in the race of 16, and how many commands (all workers') the database served meanwhile.
   */
  init_single_holder_window_ms: number;
  init_16_commands_in_holder_window: number;
  init_16_holder_window_ms: number;
}

const RTTS = [0, 5, 20] as const;
const ROUND_TRIPS_TARGET = 20;
const SERIAL_ROUND_TRIPS_TARGET = 8;

/**
 * The holder's round trips as the proxy saw them in a single-worker run: from the acquire (the
 * lock's upsert) until the release is answered, without the driver's handshakes and its monitor's
 * connections (only `hello`s); `after` counts what the run sends once released (its last history
 * events), and `serialAll` the serial depth with them.
 */
function holderRoundTrips(commands: readonly ProxiedCommand[]): { total: number; serial: number; after: number; serialAll: number; windowMs: number } {
  const product = new Set(commands.filter((c) => !c.handshake && c.name !== 'hello' && c.name !== 'isMaster').map((c) => c.connection));
  const sent = commands.filter((c) => product.has(c.connection) && !c.handshake && c.name !== 'endSessions');
  const from = sent.findIndex((c) => c.name === 'findAndModify' && c.command.findAndModify === 'initialization' && c.command.upsert === true);
  const release = sent.find(
    (c) => c.name === 'update' && c.command.update === 'initialization' && (c.command.updates as Document[]).some((u) => u.u?.$set?.holder === null),
  );
  if (from < 0 || !release?.answeredAt) throw new Error('the proxy saw no acquire or no release');
  const all = sent.slice(from);
  const window = all.filter((c) => c.sentAt <= release.answeredAt!);
  const flights = (list: ProxiedCommand[]) => list.map((c) => ({ start: c.sentAt, end: c.answeredAt ?? Number.POSITIVE_INFINITY }));
  return {
    total: window.length,
    serial: serialDepth(flights(window)),
    after: all.length - window.length,
    serialAll: serialDepth(flights(all)),
    windowMs: Math.round(release.answeredAt - all[0]!.sentAt),
  };
}

/**
 * In a race of many workers: every command the database served from the first lock attempt until
 * the release was answered (the holder's and the waiters'), and that window's length. The
 * emulator runs one command at a time: the others' commands are the holder's queue.
 */
function raceWindow(commands: readonly ProxiedCommand[]): { commands: number; windowMs: number } {
  const sent = commands.filter((c) => !c.handshake && c.name !== 'endSessions' && !(c.name === 'hello' && c.command.maxAwaitTimeMS !== undefined));
  const first = sent.find((c) => c.name === 'findAndModify' && c.command.findAndModify === 'initialization' && c.command.upsert === true);
  const release = sent.find(
    (c) => c.name === 'update' && c.command.update === 'initialization' && (c.command.updates as Document[]).some((u) => u.u?.$set?.holder === null),
  );
  if (!first || !release?.answeredAt) throw new Error('the proxy saw no acquire or no release');
  return {
    commands: sent.filter((c) => c.sentAt >= first.sentAt && c.sentAt <= release.answeredAt!).length,
    windowMs: Math.round(release.answeredAt - first.sentAt),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * One worker's wipe-and-seed, then 16 workers released together, on a scratch database. Times
 * come from the history: from the first worker's first lock attempt (its boot event) until the
 * last worker is ready. Process start-up is measured apart and not counted.
 */
export async function benchInit(uri: string, log: (line: string) => void): Promise<InitFigures> {
  const pollMs = parseConfig().INIT_POLL_MS;
  const dbName = `bench_init_${randomBytes(3).toString('hex')}`;
  const client = await new MongoClient(uri).connect();
  const db = client.db(dbName);
  const env = { MONGODB_URI: uri, MONGODB_DB: dbName, INIT_POLL_MS: String(pollMs) };

  async function run(count: number, label: string, proxy?: LatencyProxy) {
    const runId = `bench-${label}-${randomBytes(3).toString('hex')}`;
    const args = ['--wipe', '--generation', runId, '--run-id', runId, '--quiet'];
    const launch = await launchWorkers({ count, args, env: proxy ? { ...env, MONGODB_URI: proxy.uri } : env });
    const failed = launch.workers.filter((w) => w.exitCode !== 0);
    if (failed.length > 0) throw new Error(`${failed.length} of ${count} workers failed: ${failed[0]!.stderr.trim()}`);
    const events = await runEvents(db, runId);
    const tally = tallyRun(events);
    if (tally.acquired !== 1 || tally.wipes !== 1) throw new Error(`run ${runId}: ${tally.acquired} acquired, ${tally.wipes} wipes`);
    const completed = events.find((e) => e.event === 'completed');
    // The holder's part (first boot to its completion) apart from the waiters' wake-up after it.
    const holderDone = completed ? completed.at.getTime() - tally.started_at!.getTime() : NaN;
    const cpu = sampler.between(launch.released_at, launch.released_at + tally.elapsed_ms! + 2);
    return {
      dbCpuMs: cpu.dbCpuMs,
      busyShare: cpu.busyShare,
      ready: tally.elapsed_ms!,
      wipeSeed: Number(completed?.detail.elapsed_ms ?? NaN),
      startup: launch.startup_ms,
      holderDone,
      wake: tally.elapsed_ms! - holderDone,
    };
  }

  const sampler = sampleCpu(listenerPid(uri));
  try {
    await run(1, 'warm-up');
    const singles = [];
    for (let i = 0; i < 5; i += 1) singles.push(await run(1, 'single'));
    const sixteens = [];
    for (let i = 0; i < 3; i += 1) sixteens.push(await run(16, 'sixteen'));
    const far: Record<number, { single: number; sixteen: number; roundTrips: ReturnType<typeof holderRoundTrips>; race: ReturnType<typeof raceWindow> }> = {};
    for (const rtt of RTTS) {
      const proxy = await startLatencyProxy(uri, rtt);
      try {
        const runs = [];
        const trips = [];
        for (let i = 0; i < 3; i += 1) {
          proxy.commands.length = 0;
          runs.push(await run(1, `single-rtt${rtt}`, proxy));
          trips.push(holderRoundTrips(proxy.commands));
        }
        const many = [];
        const races = [];
        for (let i = 0; i < 3; i += 1) {
          proxy.commands.length = 0;
          many.push(await run(16, `sixteen-rtt${rtt}`, proxy));
          races.push(raceWindow(proxy.commands));
        }
        far[rtt] = {
          single: median(runs.map((r) => r.ready)),
          sixteen: median(many.map((r) => r.ready)),
          race: { commands: median(races.map((r) => r.commands)), windowMs: median(races.map((r) => r.windowMs)) },
          roundTrips: {
            total: median(trips.map((t) => t.total)),
            serial: median(trips.map((t) => t.serial)),
            after: median(trips.map((t) => t.after)),
            serialAll: median(trips.map((t) => t.serialAll)),
            windowMs: median(trips.map((t) => t.windowMs)),
          },
        };
      } finally {
        await proxy.close();
      }
    }
    const single = median(singles.map((s) => s.ready));
    const sixteen = median(sixteens.map((s) => s.ready));
    const figures: InitFigures = {
      init_single_ms: single,
      init_single_wipe_seed_ms: median(singles.map((s) => s.wipeSeed)),
      init_16_ready_ms: sixteen,
      init_ratio: Number((sixteen / single).toFixed(2)),
      init_16_target_ms: Math.round(1.5 * single + pollMs),
      init_poll_ms: pollMs,
      init_16_startup_ms: median(sixteens.map((s) => s.startup)),
      init_16_holder_done_ms: median(sixteens.map((s) => s.holderDone)),
      init_16_wake_ms: median(sixteens.map((s) => s.wake)),
      init_single_db_cpu_ms: median(singles.map((s) => s.dbCpuMs)),
      init_16_db_cpu_ms: median(sixteens.map((s) => s.dbCpuMs)),
      init_16_cores_busy_pct: Math.round(100 * median(sixteens.map((s) => s.busyShare))),
      init_single_rtt0_ms: far[0]!.single,
      init_single_rtt5_ms: far[5]!.single,
      init_single_rtt20_ms: far[20]!.single,
      init_single_rtt20_target_ms: 10 * 20 + far[0]!.single,
      init_16_rtt0_ms: far[0]!.sixteen,
      init_16_rtt5_ms: far[5]!.sixteen,
      init_16_rtt20_ms: far[20]!.sixteen,
      init_round_trips: far[20]!.roundTrips.total,
      init_round_trips_target: ROUND_TRIPS_TARGET,
      init_serial_round_trips: far[20]!.roundTrips.serial,
      init_serial_round_trips_target: SERIAL_ROUND_TRIPS_TARGET,
      init_round_trips_after_release: far[20]!.roundTrips.after,
      init_serial_round_trips_with_after: far[20]!.roundTrips.serialAll,
      init_single_holder_window_ms: far[0]!.roundTrips.windowMs,
      init_16_commands_in_holder_window: far[0]!.race.commands,
      init_16_holder_window_ms: far[0]!.race.windowMs,
    };
    log(
      `init: one worker, wipe and seed, first lock attempt to ready: ${figures.init_single_ms} ms (median of 5; the wipe and seed alone ${figures.init_single_wipe_seed_ms} ms; target well under 100 ms)`,
    );
    log(
      `init: 16 workers, first lock attempt to last worker ready: ${figures.init_16_ready_ms} ms (median of 3; runs ${sixteens.map((s) => s.ready).join(', ')} ms)`,
    );
    log(
      `init: ratio 16/1 = ${figures.init_ratio}; target 1.5 x ${single} + poll ${pollMs} = ${figures.init_16_target_ms} ms -> ${sixteen <= figures.init_16_target_ms ? 'met' : 'NOT met'}`,
    );
    log(`init: process start-up of 16 workers (not counted): ${figures.init_16_startup_ms} ms`);
    log(
      `init: of the 16 workers' time, the holder's wipe and seed took ${figures.init_16_holder_done_ms} ms (alone: ${single} ms), the last waiter's wake-up after it ${figures.init_16_wake_ms} ms (one poll: ${pollMs} ms)`,
    );
    log(
      `init: the database's CPU time: ${figures.init_single_db_cpu_ms} ms for one worker's run, ${figures.init_16_db_cpu_ms} ms for the race of 16; the cores were ${figures.init_16_cores_busy_pct} % busy during the race`,
    );
    log(
      `init: first lock attempt to release at no added latency: alone ${figures.init_single_holder_window_ms} ms for its ${figures.init_round_trips} commands; among 16 ${figures.init_16_holder_window_ms} ms while the database served ${figures.init_16_commands_in_holder_window} commands one at a time (the others are the waiters' first looks, attempts and polls)`,
    );
    const met = (value: number, target: number) => (value <= target ? 'met' : 'NOT met');
    for (const rtt of RTTS) {
      log(
        `init: through the latency proxy at ${rtt} ms per round trip: one worker ${far[rtt]!.single} ms, 16 workers all ready ${far[rtt]!.sixteen} ms (medians of 3)`,
      );
    }
    log(
      `init: one worker at 20 ms per round trip: ${figures.init_single_rtt20_ms} ms; target 10 x 20 + ${figures.init_single_rtt0_ms} = ${figures.init_single_rtt20_target_ms} ms -> ${met(figures.init_single_rtt20_ms, figures.init_single_rtt20_target_ms)}`,
    );
    log(
      `init: the holder's round trips, first lock attempt to release: ${figures.init_round_trips} (+${figures.init_round_trips_after_release} after) (target ${ROUND_TRIPS_TARGET}) -> ${met(figures.init_round_trips, ROUND_TRIPS_TARGET)}; paid one after another ${figures.init_serial_round_trips} (target ${SERIAL_ROUND_TRIPS_TARGET}) -> ${met(figures.init_serial_round_trips, SERIAL_ROUND_TRIPS_TARGET)}, ${figures.init_serial_round_trips_with_after} with those after`,
    );
    return figures;
  } finally {
    sampler.stop();
    await db.dropDatabase().catch(() => {});
    await client.close();
  }
}
