/** One audit benchmark run in its own process: `node --expose-gc --import tsx bench/audit-child.ts N`. */
import { runAuditBench } from './audit';

const dashboards = Number(process.argv[2]);
if (!Number.isInteger(dashboards) || dashboards < 1) {
  console.error('usage: node --expose-gc --import tsx bench/audit-child.ts DASHBOARDS');
  process.exit(2);
}
console.log(JSON.stringify(runAuditBench(dashboards)));
