import { defineConfig } from 'vitest/config';

// Dawn's native addon does not like worker threads: one forked process per test file, each
// with its own device.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup.ts'],
    maxWorkers: 2,
  },
});
