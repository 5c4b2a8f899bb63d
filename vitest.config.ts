import { defineConfig } from 'vitest/config';

// Three levels, each runnable alone (npm run test:unit | test:integration | test:browser); npm test
// runs all. Unit tests need no database and no browser.
const shared = { testTimeout: 60_000, hookTimeout: 180_000 };
// Several integration and browser files start many worker processes (or build and start Next): on
// two cores they run best one file at a time. Unit files start nothing, so they run side by side,
// one per core (vitest's default, cores - 1, is a single worker on two cores).
const withDatabase = { ...shared, globalSetup: ['tests/support/global-setup.ts'], fileParallelism: false };

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { extends: true, test: { ...shared, name: 'unit', fileParallelism: true, maxWorkers: '100%', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { ...withDatabase, name: 'integration', include: ['tests/integration/**/*.test.ts'] } },
      { extends: true, test: { ...withDatabase, name: 'browser', include: ['tests/browser/**/*.test.ts'] } },
    ],
  },
});
