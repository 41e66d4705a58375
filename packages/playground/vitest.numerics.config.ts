import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// The numerical tests of @sparsevd/kl, estimators and layers, run inside headless Chromium on tfjs's `webgl`
// backend (vitest browser mode, Playwright driving Debian's chromium): each package's `test/backends.ts` is
// replaced by test-numerics/webgl-backend.ts. Run by `npm run test:browser`.
const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..');

export default defineConfig({
  resolve: {
    alias: [{ find: /^\.\/backends\.js$/, replacement: join(here, 'test-numerics', 'webgl-backend.ts') }],
  },
  server: { fs: { allow: [join(packages, '..')] } },
  test: {
    dir: packages,
    include: ['kl/test/**/*.test.ts', 'estimators/test/**/*.test.ts', 'layers/test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
