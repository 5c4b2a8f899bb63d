import { ObjectId } from 'mongodb';
import type { GroupDoc, UserDoc, UserRefDoc } from '../schemas/platform';
import type { Credentials, SeedBundle } from './build';
import { hashPassword } from '../auth/passwords';
import { generatedPassword } from './passwords';
import type { Problems } from './problems';
import type { SeedUsers } from './schema';

/** depictio's own accounts and groups, with the static ids it gives them. */
export const ADMIN_ID = new ObjectId('67658ba033c8b59ad489d7c7');
export const TEST_USER_ID = new ObjectId('67658ba033c8b59ad489d7c8');
const ADMIN_GROUP_ID = new ObjectId('67658ba033c8b59ad489d7c9');
const USERS_GROUP_ID = new ObjectId('67658ba033c8b59ad489d7d0');
export const DEFAULT_ADMIN_EMAIL = 'admin@example.com';
const TEST_USER_EMAIL = 'test_user@example.com';

export interface BuiltUsers {
  users: UserDoc[];
  groups: GroupDoc[];
  generatedPasswords: SeedBundle['generatedPasswords'];
  /** The admin as depictio embeds a user (UserBase) in permissions. */
  owner: UserRefDoc;
}

/** The admin and the test user as depictio creates them, then the users file's own users and groups. */
export function buildUsers(extra: SeedUsers | null, usersFile: string, credentials: Credentials, problems: Problems): BuiltUsers {
  const generatedPasswords: SeedBundle['generatedPasswords'] = [];
  const adminEmail = credentials.adminEmail ?? DEFAULT_ADMIN_EMAIL;
  const accounts = [
    { id: ADMIN_ID, email: adminEmail, is_admin: true, password_from: 'ADMIN_PASSWORD' as const },
    { id: TEST_USER_ID, email: TEST_USER_EMAIL, is_admin: false, password_from: 'TEST_USER_PASSWORD' as const },
  ];
  const byEmail = new Map<string, UserDoc>();
  const ids = new Set<string>();
  const add = (account: (typeof accounts)[number], field: string | null) => {
    if (ids.has(account.id.toHexString())) return problems.error(usersFile, `${field}.id`, `id ${account.id.toHexString()} is already a user's`);
    if (byEmail.has(account.email)) return problems.error(usersFile, `${field}.email`, `email ${account.email} is already a user's`);
    let password = credentials.passwords[account.password_from];
    if (!password) {
      password = generatedPassword(account.password_from, account.email);
      generatedPasswords.push({ email: account.email, source: account.password_from, password });
    }
    ids.add(account.id.toHexString());
    byEmail.set(account.email, { _id: account.id, email: account.email, password: hashPassword(account.email, password), is_admin: account.is_admin });
  };
  for (const account of accounts) add(account, null);
  extra?.users.forEach((user, i) => add(user, `users[${i}]`));

  const groups: GroupDoc[] = [
    { _id: ADMIN_GROUP_ID, name: 'admin', users_ids: [ADMIN_ID] },
    { _id: USERS_GROUP_ID, name: 'users', users_ids: [TEST_USER_ID, ADMIN_ID] },
  ];
  extra?.groups.forEach((group, i) => {
    if (groups.some((g) => g.name === group.name))
      return problems.error(usersFile, `groups[${i}].name`, `group "${group.name}" already exists (depictio's own)`);
    if (groups.some((g) => g._id.equals(group.id)) || ids.has(group.id.toHexString()))
      return problems.error(usersFile, `groups[${i}].id`, `id ${group.id.toHexString()} is already used`);
    const users_ids = group.members.flatMap((email, j) => {
      const user = byEmail.get(email === DEFAULT_ADMIN_EMAIL ? adminEmail : email);
      if (!user) problems.error(usersFile, `groups[${i}].members[${j}]`, `no user with email ${email}`);
      return user ? [user._id] : [];
    });
    groups.push({ _id: group.id, name: group.name, users_ids });
  });
  const owner: UserRefDoc = { _id: ADMIN_ID, email: adminEmail, is_admin: true, is_anonymous: false, is_temporary: false, expiration_time: null };
  return { users: [...byEmail.values()], groups, generatedPasswords, owner };
}
