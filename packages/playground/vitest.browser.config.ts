import { defineConfig } from 'vitest/config';

// The real-browser tests: Playwright drives Debian's Chromium (headless) against the production build, and
// compares the page's runs with `sparsevd train` in Node. Run with `npm run test:browser` at the top.
export default defineConfig({
  test: {
    include: ['test-browser/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
