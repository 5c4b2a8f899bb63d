import { z } from 'zod';

export const probeStatusSchema = z.enum(['pass', 'fail', 'skipped']);

export const probeRowSchema = z.object({
  id: z.string(),
  behaviour: z.string(),
  /** What the product needs from the server. */
  needs: z.string(),
  /** What the server did, in words. */
  observed: z.string(),
  status: probeStatusSchema,
  /** The MongoDB documentation that promises the behaviour. */
  doc: z.url(),
});

export const topologySchema = z.enum(['standalone', 'replica-set', 'sharded']);

export const probeReportSchema = z.object({
  server_version: z.string(),
  topology: topologySchema,
  /** Transactions exist (replica set, sharded): each batch is fenced by a transaction. */
  transactional_fencing: z.boolean(),
  /** The scratch database the probe created and dropped. */
  database: z.string(),
  /** False only when the server refused every way of dropping it: the operator then drops it by hand. */
  dropped: z.boolean(),
  rows: z.array(probeRowSchema),
  /** No row failed. */
  ok: z.boolean(),
});

export type ProbeStatus = z.infer<typeof probeStatusSchema>;
export type ProbeRow = z.infer<typeof probeRowSchema>;
export type Topology = z.infer<typeof topologySchema>;
export type ProbeReport = z.infer<typeof probeReportSchema>;
