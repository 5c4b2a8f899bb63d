import { z } from 'zod';
import { objectIdHexSchema } from '../schemas/object-id';

/**
 * The one seed file of the console's own: an optional `users.yaml` at the top of SEEDS_DIR with
 * users and groups beyond the two depictio creates (its admin and test user). Everything else in
 * SEEDS_DIR is depictio's folder format.
 */

export const PASSWORD_SOURCES = ['ADMIN_PASSWORD', 'TEST_USER_PASSWORD'] as const;

const email = z.email({ message: 'expected an email address' });

export const seedUsersSchema = z.strictObject({
  users: z
    .array(
      z.strictObject({
        id: objectIdHexSchema,
        email,
        is_admin: z.boolean().default(false),
        /** The configuration variable holding this user's password; never a password itself. */
        password_from: z.enum(PASSWORD_SOURCES),
      }),
    )
    .default([]),
  groups: z.array(z.strictObject({ id: objectIdHexSchema, name: z.string().min(1), members: z.array(email) })).default([]),
});
export type SeedUsers = z.infer<typeof seedUsersSchema>;
