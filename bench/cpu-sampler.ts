import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Where the time of a race goes on this machine: every few milliseconds, the CPU time the
 * database process has used (Linux /proc; the emulator is one Python process) and how busy the
 * machine's cores are. Off Linux, or with a database that is not a local process, it measures
 * nothing and says so (NaN).
 */
const TICK_MS = 1000 / 100; // USER_HZ: /proc counts CPU time in 10 ms ticks

interface Sample {
  at: number;
  dbTicks: number;
  busyTicks: number;
  totalTicks: number;
}

/** The pid of the process listening on the URI's port, if it is on this machine. */
export function listenerPid(uri: string): number | undefined {
  try {
    const port = new URL(uri.replace(/^mongodb:/, 'http:')).port || '27017';
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const match = /pid=(\d+)/.exec(out);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function processTicks(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuSampler {
  /** Between two epoch times: the database's CPU ms, and the cores' busy share (0..1). */
  between(from: number, to: number): { dbCpuMs: number; busyShare: number };
  stop(): void;
}

export function sampleCpu(pid: number | undefined, everyMs = 5): CpuSampler {
  const samples: Sample[] = [];
  const take = () => {
    try {
      const machine = machineTicks();
      samples.push({ at: Date.now(), dbTicks: pid ? processTicks(pid) : NaN, busyTicks: machine.busy, totalTicks: machine.total });
    } catch {
      // /proc is not there: nothing to sample.
    }
    if (samples.length > 20_000) samples.splice(0, 10_000);
  };
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  const at = (time: number) => samples.find((s) => s.at >= time) ?? samples.at(-1);
  return {
    between(from, to) {
      const a = [...samples].reverse().find((s) => s.at <= from) ?? samples[0];
      const b = at(to);
      if (!a || !b || b.totalTicks === a.totalTicks) return { dbCpuMs: NaN, busyShare: NaN };
      return { dbCpuMs: (b.dbTicks - a.dbTicks) * TICK_MS, busyShare: (b.busyTicks - a.busyTicks) / (b.totalTicks - a.totalTicks) };
    },
    stop: () => clearInterval(timer),
  };
}
