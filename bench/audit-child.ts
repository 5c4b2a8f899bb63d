/** One audit benchmark run in its own process: `node --expose-gc --import tsx bench/audit-child.ts N`. */
import { checkWholeNumber } from '../lib/whole-number';
import { runAuditBench } from './audit';

const dashboards = checkWholeNumber(process.argv[2], 1, Number.MAX_SAFE_INTEGER);
if (!dashboards.ok) {
  console.error('usage: node --expose-gc --import tsx bench/audit-child.ts DASHBOARDS');
  process.exit(2);
}
console.log(JSON.stringify(runAuditBench(dashboards.value)));
