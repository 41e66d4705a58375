import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EpochMetrics } from '@sparsevd/train';
import { type Browser, chromium, type Page } from 'playwright';
import { cliCommand, DEFAULT_SETTINGS, type Settings } from '../src/settings.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE = join(here, '..');
export const DIST = join(PACKAGE, 'dist');
export const RESULTS = join(PACKAGE, 'test-results');
const CLI = join(PACKAGE, '..', 'cli', 'dist', 'bin.js');
/** Debian's `chromium` package (Playwright's own browser download is not reachable here). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails with what to run when the build or the browser is missing. */
export const checkPrerequisites = () => {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(
      `${DIST}/index.html is missing: build the page first (npm run build -w @sparsevd/playground)`,
    );
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build the CLI first (npm run build -w @sparsevd/cli)`);
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
};

/** Headless Chromium with WebGL on SwiftShader (no GPU here). */
export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });

/** A page of the playground with its console errors and uncaught errors collected. */
export const openPage = async (browser: Browser, url: string) => {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 1000 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 120_000 });
  return { page, errors, context };
};

/** The page's URL for these settings on this backend. */
export const pageUrl = (base: string, settings: Settings, backend?: string) => {
  const q = new URLSearchParams(
    Object.entries({ ...settings, ...(backend === undefined ? {} : { backend }) }).map(([k, v]) => [
      k,
      String(v),
    ]),
  );
  return `${base}?${q}`;
};

/** Waits for the run to end (done, paused or failed) and returns the state. */
export const waitForEnd = async (page: Page, timeout = 600_000) => {
  await page.waitForSelector(
    '#status[data-state="done"], #status[data-state="paused"], #status[data-state="failed"]',
    { timeout },
  );
  return page.getAttribute('#status', 'data-state');
};

/** The epoch metrics the page received. */
export const pageMetrics = (page: Page): Promise<EpochMetrics[]> =>
  page.evaluate(
    () =>
      (window as unknown as { sparsevdPlayground: { metrics: EpochMetrics[] } }).sparsevdPlayground.metrics,
  );

const run = promisify(execFile);

/** The same run in Node (`sparsevd train` of the settings, `--backend wasm`): its metrics per epoch. */
export const nodeRun = async (settings: Settings): Promise<EpochMetrics[]> => {
  const out = join(mkdtempSync(join(tmpdir(), 'sparsevd-playground-node-')), 'run');
  const argv = cliCommand({ ...DEFAULT_SETTINGS, ...settings })
    .split(' ')
    .slice(3);
  await run(process.execPath, [CLI, 'train', ...argv, '--out', out], { maxBuffer: 1 << 26 });
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EpochMetrics);
};
