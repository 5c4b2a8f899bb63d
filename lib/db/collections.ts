/** Collection names, in one place. The first two survive every wipe. */
export const INITIALIZATION = 'initialization';
export const INIT_HISTORY = 'init_history';
export const PRESERVED_COLLECTIONS: readonly string[] = [INITIALIZATION, INIT_HISTORY];

export const PROJECTS = 'projects';
export const DASHBOARDS = 'dashboards';
export const USERS = 'users';
export const GROUPS = 'groups';
export const DELTATABLES = 'deltatables';
export const MULTIQC = 'multiqc';

export const LOCK_ID = 'init_lock';
export const STATE_ID = 'init_state';
export const DRILL_RUNS = 'drill_runs';
