/**
 * GET /api/history/export against a reader that stops reading, over a real socket to the
 * production server (`next start`, built by tests/browser/support: run under the build flock).
 * The server's resident memory is read from /proc while the reader sits idle.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventViewSchema } from '../../lib/console/views';
import { INIT_HISTORY } from '../../lib/db/collections';
import { runCli } from '../support/cli';
import { TEST_PASSWORDS } from '../support/seeds';
import { signInCookie } from '../browser/support/actions';
import { VIEWER, startConsole, type ConsoleServer } from '../browser/support/console-server';

const EVENTS = 40_000;
const DETAIL = 'x'.repeat(1_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: ConsoleServer;
let mongo: MongoClient;
let cookie: string;

/** The process listening on `port` (from /proc/net/tcp6 and tcp, then the socket's inode among open files). */
function pidListeningOn(port: number): number {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
    }
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) return Number(pid);
      }
    } catch {
      // a process that ended or is not ours to read
    }
  }
  throw new Error(`nobody listens on ${port}`);
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

beforeAll(async () => {
  // The emulator sorts the 40,000 events in Python: give its slow answers time.
  server = await startConsole({ MONGODB_TIMEOUT_MS: '30000' });
  const seeded = await runCli('workers', ['-n', '1'], { MONGODB_URI: server.dbUri, MONGODB_DB: server.dbName, ...TEST_PASSWORDS });
  if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stdout}\n${seeded.stderr}`);
  mongo = await new MongoClient(server.dbUri).connect();
  const history = mongo.db(server.dbName).collection(INIT_HISTORY);
  const at = Date.now();
  for (let i = 0; i < EVENTS; i += 2_000) {
    await history.insertMany(
      Array.from({ length: 2_000 }, (_, j) => ({
        at: new Date(at + i + j),
        run_id: 'run-export',
        generation: 'g-export',
        worker_id: 'w',
        host: 'h',
        pid: 1,
        fence: 1,
        event: 'lease-renewed',
        detail: { n: i + j, pad: DETAIL },
      })),
    );
  }
  cookie = await signInCookie(server, VIEWER);
}, 600_000);

afterAll(async () => {
  await mongo?.close();
  await server?.stop();
});

/** Opens the export and reads `bytes` of it, then stops reading (the socket stays open). */
function readAFewBytes(bytes: number): Promise<{ request: http.ClientRequest; received: () => number }> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const request = http.get(`${server.url}/api/history/export?run=run-export`, { headers: { cookie } }, (response) => {
      expect(response.statusCode).toBe(200);
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= bytes) {
          response.pause();
          resolve({ request, received: () => received });
        }
      });
    });
    request.on('error', reject);
  });
}

describe('the history export', () => {
  it(`keeps the server's memory flat for a reader that stops reading (${EVENTS} events, about ${Math.round((EVENTS * 1.2) / 1000)} MB)`, async () => {
    const pid = pidListeningOn(Number(new URL(server.url).port));
    // A first, whole export warms the route up (and proves it is all there).
    const whole = await fetch(`${server.url}/api/history/export?run=run-export`, { headers: { cookie } });
    const text = await whole.text();
    expect(whole.status, `${text.slice(0, 300)}\n${server.log().slice(-2000)}`).toBe(200);
    const events = z.array(eventViewSchema).parse(JSON.parse(text));
    expect(events).toHaveLength(EVENTS);
    expect(events.at(-1)!.detail.n).toBe(EVENTS - 1);
    await sleep(2_000);
    const before = rssMb(pid);

    const idle = await readAFewBytes(100_000);
    let peak = before;
    for (let i = 0; i < 20; i += 1) {
      await sleep(500);
      peak = Math.max(peak, rssMb(pid));
    }
    const growth = peak - before;
    console.log(
      `export to an idle reader: server RSS ${before.toFixed(1)} MB -> peak ${peak.toFixed(1)} MB (+${growth.toFixed(1)} MB); the reader took ${(idle.received() / 1e6).toFixed(2)} MB of ${((EVENTS * 1_130) / 1e6).toFixed(0)} MB`,
    );
    idle.request.destroy();
    expect(growth).toBeLessThan(20);
  }, 120_000);
});
