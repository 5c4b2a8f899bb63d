/** Collection names, in one place. The preserved ones survive every wipe. */
export const INITIALIZATION = 'initialization';
export const INIT_HISTORY = 'init_history';
/**
 * The console's failed sign-in counters, shared by every console instance. Kept through a wipe: a
 * reseed must not hand an attacker a fresh set of attempts, and it is not the platform's data.
 */
export const SIGNIN_ATTEMPTS = 'console_signin_attempts';
/** The console's drills and their lease (lib/drill/lease.ts): a reseed must not free a running drill's lease. */
export const DRILL_RUNS = 'drill_runs';
/** Each user's session epoch (lib/auth/session-store.ts): a reseed must not bring revoked sessions back. */
export const CONSOLE_SESSIONS = 'console_sessions';
export const PRESERVED_COLLECTIONS: readonly string[] = [INITIALIZATION, INIT_HISTORY, SIGNIN_ATTEMPTS, DRILL_RUNS, CONSOLE_SESSIONS];

export const PROJECTS = 'projects';
export const DASHBOARDS = 'dashboards';
export const USERS = 'users';
export const GROUPS = 'groups';
export const DELTATABLES = 'deltatables';
export const MULTIQC = 'multiqc';

export const LOCK_ID = 'init_lock';
export const STATE_ID = 'init_state';
