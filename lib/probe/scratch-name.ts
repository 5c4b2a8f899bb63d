import { randomBytes } from 'node:crypto';

/** The only databases the probe writes to, and the only one it ever drops. */
export const PROBE_DB_PATTERN = /^depictio_probe_[a-f0-9]{6,}$/;

export class ProbeArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeArgumentError';
  }
}

export function scratchDbName(): string {
  return `depictio_probe_${randomBytes(6).toString('hex')}`;
}

/** The given name when it is a probe's, else a refusal: the probe must never touch a product database. */
export function checkedScratchName(name: string | undefined): string {
  if (name === undefined) return scratchDbName();
  if (!PROBE_DB_PATTERN.test(name)) {
    throw new ProbeArgumentError(
      `--db must name a probe's scratch database, matching ${PROBE_DB_PATTERN.source} (got "${name}"): the probe creates and drops it`,
    );
  }
  return name;
}
