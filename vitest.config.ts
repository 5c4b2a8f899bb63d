import { defineConfig } from 'vitest/config';

// Three levels, each runnable alone (npm run test:unit | test:integration | test:browser); npm test
// runs all. Unit tests need no database and no browser.
const shared = { testTimeout: 60_000, hookTimeout: 180_000 };
const withDatabase = { ...shared, globalSetup: ['tests/support/global-setup.ts'] };

export default defineConfig({
  test: {
    // Several files start many worker processes; on two cores they run best one file at a time.
    fileParallelism: false,
    reporters: ['default'],
    projects: [
      { extends: true, test: { ...shared, name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { ...withDatabase, name: 'integration', include: ['tests/integration/**/*.test.ts'] } },
      { extends: true, test: { ...withDatabase, name: 'browser', include: ['tests/browser/**/*.test.ts'] } },
    ],
  },
});
