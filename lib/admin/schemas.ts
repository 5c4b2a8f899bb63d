import { z } from 'zod';

/**
 * The inputs of the console's admin actions. A client makes one idempotency key per intent (one
 * open dialog, one click): the same key always means the same run, so a double click starts one.
 */
export const idempotencyKeySchema = z
  .string({ message: 'an idempotency key is required' })
  .regex(/^[A-Za-z0-9_-]{8,100}$/, { message: 'the idempotency key must be 8 to 100 letters, digits, "_" or "-"' });

export const reseedInputSchema = z.object({
  idempotency_key: idempotencyKeySchema,
  /** The database's name, typed by the admin: a reseed wipes it. */
  confirm_database: z.string({ message: 'type the database name to confirm' }).max(100),
});
export type ReseedInput = z.infer<typeof reseedInputSchema>;

export const seedMissingInputSchema = z.object({ idempotency_key: idempotencyKeySchema });
export type SeedMissingInput = z.infer<typeof seedMissingInputSchema>;

export const forceReleaseInputSchema = z.object({
  /** The fence the admin saw: the release happens only if the lock still has it. */
  fence: z.coerce.number({ message: 'the fence of the lock you saw is required' }).int().min(0),
  /** Required while the lease is live: the holder's worker id, typed by the admin. */
  confirm_worker_id: z.string().trim().max(200).optional(),
});
export type ForceReleaseInput = z.infer<typeof forceReleaseInputSchema>;
