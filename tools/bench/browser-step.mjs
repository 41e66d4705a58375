#!/usr/bin/env node
// Benchmark (not a test): ms per LeNet-300-100 SparseVD training step (batch 100) in headless Chromium on
// `webgl` (SwiftShader: no GPU here) and `wasm`, through the playground page and its Web Worker, against Node
// on `native` and `wasm` (tools/bench/train-step.mjs --child), in one run on one machine. The same trainer
// (`train` of @sparsevd/train) and the same measure everywhere: the median time between step events after a
// warm-up, the page's drawing between steps excluded.
// Needs the built page and CLI (`npm run build`) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).
// Usage: node tools/bench/browser-step.mjs [--steps 30] [--warmup 20] [--out FILE.json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuLine } from '@sparsevd/cli';
import { chromium } from 'playwright';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const steps = Number(option('steps', '30'));
const warmup = Number(option('warmup', '20'));
const out = option('out', undefined);
const dist = join(root, 'packages', 'playground', 'dist');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist} is missing: run npm run build first`);
if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install chromium`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Node: one child process per backend, as train-step.mjs measures.
const nodeStep = (backend) => {
  const child = spawnSync(
    process.execPath,
    [join(here, 'train-step.mjs'), '--child', backend, 'lenet300', String(steps), String(warmup)],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const line = child.stdout.trim().split('\n').at(-1) ?? '{}';
  const parsed = JSON.parse(line);
  return parsed.ms ?? Number.NaN;
};

// The page, served as `vite preview` would (the wasm binaries as application/wasm).
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
  if (!file.startsWith(dist) || !existsSync(file)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  res.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
  res.end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const pageStep = async (backend) => {
  const page = await browser.newPage();
  const q = new URLSearchParams({
    backend,
    epochs: '1',
    trainSubset: String(100 * (steps + warmup)),
    testSubset: '100',
  });
  await page.goto(`${base}?${q}`);
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 120_000 });
  await page.click('#start');
  await page.waitForSelector('#status[data-state="done"], #status[data-state="failed"]', {
    timeout: 900_000,
  });
  const stepMs = await page.evaluate(() => window.sparsevdPlayground.stepMs);
  await page.close();
  return median(stepMs.slice(warmup));
};

const cpu = cpuLine();
const results = {
  'Node native': nodeStep('native'),
  'Node wasm': nodeStep('wasm'),
  'Chromium wasm': await pageStep('wasm'),
  'Chromium webgl (SwiftShader)': await pageStep('webgl'),
};
await browser.close();
server.close();
const reference = results['Node wasm'];
process.stdout.write(
  `CPU: ${cpu}; Chromium: ${browser.version()}\n` +
    `LeNet-300-100 SparseVD training step, batch 100, median of ${steps} steps after ${warmup} warm-up steps\n` +
    Object.entries(results)
      .map(
        ([name, ms]) =>
          `  ${name.padEnd(30)} ${ms.toFixed(1).padStart(7)} ms/step  ${(ms / reference).toFixed(2)}× Node wasm`,
      )
      .join('\n') +
    '\n',
);
if (out !== undefined) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ cpu, chromium: browser.version(), steps, warmup, results }, null, 2)}\n`,
  );
}
