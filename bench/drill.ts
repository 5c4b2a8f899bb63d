import { withDatabase } from '../cli/with-database';
import { parseConfig } from '../lib/env';
import { runDrill } from '../lib/drill/run-drill';
import { DRILL_ALGORITHMS } from '../lib/drill/types';
import { plural } from '../lib/history/plural';

/** The drill of `npm run bench`: 16 workers released together and 4 late starters, per algorithm. */
export const BENCH_DRILL = { workers: 16, late: 4, lateAfterMs: 100, windowMs: 200 } as const;

/**
 * drill_<algorithm>_wipes and drill_<algorithm>_ready_ms (`-` in the algorithm's name becomes `_`)
 * for the three algorithms, each on its own scratch database. `ready_ms` runs from the first
 * worker's boot to the last worker ready (process start-up is not counted); -1 when no worker got
 * there. Uses `uri`, else MONGODB_URI, else an embedded database for the time of the bench.
 */
export async function benchDrill(uri?: string, log: (line: string) => void = console.log): Promise<Record<string, number>> {
  const cfg = parseConfig();
  const run = async (target: string) => {
    const figures: Record<string, number> = {};
    for (const algorithm of DRILL_ALGORITHMS) {
      const r = await runDrill(target, { algorithm, ...BENCH_DRILL }, { config: cfg });
      const key = `drill_${algorithm.replace(/-/g, '_')}`;
      figures[`${key}_wipes`] = r.wipes;
      figures[`${key}_ready_ms`] = r.elapsed_ms ?? -1;
      log(
        `drill: ${algorithm}, ${r.on_time} workers + ${r.late} late (${r.late_after_ms} ms)${r.window_ms !== null ? `, window ${r.window_ms} ms` : ''}: ` +
          `${r.acquired} acquired, ${plural(r.wipes, 'wipe')}, ${r.projects}/${r.expected_projects} projects, ${r.invalid_components} invalid components, ` +
          `all ready in ${r.elapsed_ms ?? '?'} ms (poll ${r.poll_ms} ms; start-up ${r.startup_ms} ms not counted) -> ${r.pass ? 'PASS' : 'FAIL'}`,
      );
    }
    return figures;
  };
  return uri ? run(uri) : withDatabase(cfg, run);
}
