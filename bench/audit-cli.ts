/** npx tsx bench/audit-cli.ts — the audit benchmark alone; prints one `name value` line per figure. */
import { benchAudit } from './audit';

benchAudit().then(
  (figures) => {
    for (const [name, value] of Object.entries(figures)) console.log(`${name} ${value}`);
    console.log(figures.audit_200k_ms < 1_000 ? 'target met: 200k components in under 1 s' : 'target MISSED: 200k components took 1 s or more');
  },
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
