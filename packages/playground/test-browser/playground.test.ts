// The playground in real headless Chromium, against the production build: short runs on wasm and webgl
// compared with `sparsevd train` in Node, the threshold slider, the download read back in Node, a drawn digit,
// and a run that survives a page reload from its IndexedDB checkpoint.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sparseModel } from '@sparsevd/pruning';
import { readSparseFile } from '@sparsevd/pruning/node';
import type { EpochMetrics } from '@sparsevd/train';
import * as E from 'fp-ts/lib/Either.js';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../src/settings.js';
import {
  checkPrerequisites,
  DIST,
  launch,
  nodeRun,
  openPage,
  pageMetrics,
  pageUrl,
  RESULTS,
  waitForEnd,
} from './harness.js';
import { serve } from './serve.js';

// The short run: 2 epochs on the first 10 000 training images, 2 000 test images, a fixed seed.
const SHORT: Settings = { ...DEFAULT_SETTINGS, epochs: 2, trainSubset: 10_000, testSubset: 2_000, seed: 1 };

let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;
let node: EpochMetrics[];
beforeAll(async () => {
  checkPrerequisites();
  mkdirSync(RESULTS, { recursive: true });
  server = await serve(DIST);
  browser = await launch();
  node = await nodeRun(SHORT);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const final = async (page: Page) => ({
  error: Number(await page.getAttribute('#final-error', 'data-value')),
  compression: Number(await page.getAttribute('#final-compression', 'data-value')),
});

/** Draws a "7" on the pad with the mouse, as a person would. */
const drawSeven = async (page: Page) => {
  const box = await page.locator('#pad').boundingBox();
  if (box === null) throw new Error('no pad');
  const p = (x: number, y: number) => [box.x + (x * box.width) / 28, box.y + (y * box.height) / 28] as const;
  await page.mouse.move(...p(7, 7));
  await page.mouse.down();
  for (const [x, y] of [
    [14, 7],
    [21, 7],
    [18, 14],
    [15, 19],
    [13, 23],
  ] as const)
    await page.mouse.move(...p(x, y), { steps: 6 });
  await page.mouse.up();
};

describe('the playground in Chromium', () => {
  it('on wasm: the page trains to what `sparsevd train --backend wasm` reports; slider, export and drawing work', async () => {
    const { page, errors } = await openPage(browser, pageUrl(server.url, SHORT, 'wasm'));
    expect(await page.getAttribute('#backend', 'data-active')).toBe('wasm');
    await page.click('#start');
    expect(await waitForEnd(page)).toBe('done');
    const metrics = await pageMetrics(page);
    const got = await final(page);
    const want = node.at(-1) as EpochMetrics;
    // The same computation (tfjs-backend-wasm's SIMD binary, single-threaded, in both): equal exactly.
    expect(got).toEqual({ error: want.testError, compression: want.compression });
    expect(metrics.map((m) => m.testError)).toEqual(node.map((m) => m.testError));
    expect(metrics.map((m) => m.layers)).toEqual(node.map((m) => m.layers));

    // The threshold slider: at 3 (the training threshold) it reproduces the final numbers; at 4.5 more
    // weights are kept, so the compression shown is lower.
    const slide = async (value: number) => {
      const before = await page.getAttribute('#threshold-compression', 'data-value');
      await page.locator('#threshold').fill(String(value));
      await page.waitForFunction(
        ([b, t]) =>
          document.getElementById('threshold-at')?.textContent === t &&
          document.getElementById('threshold-compression')?.dataset.value !== b,
        [before, value.toFixed(1)] as const,
      );
      return {
        error: Number(await page.getAttribute('#threshold-error', 'data-value')),
        compression: Number(await page.getAttribute('#threshold-compression', 'data-value')),
      };
    };
    const at45 = await slide(4.5);
    expect(at45.compression).toBeLessThan(got.compression);
    const at3 = await slide(3);
    expect(at3.compression).toBe(got.compression);
    expect(at3.error).toBeCloseTo(got.error, 10);

    // Export, download, and read the file back in Node; the drawn digit is predicted the same there.
    await page.click('#export');
    await page.waitForSelector('#download:not([hidden])');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const file = join(mkdtempSync(join(tmpdir(), 'sparsevd-playground-')), 'lenet300.spvd');
    await download.saveAs(file);
    await drawSeven(page);
    await page.waitForSelector('#prediction[data-digit]:not([data-digit=""])');
    const drawn = await page.evaluate(() => {
      const p = (
        window as unknown as { sparsevdPlayground: { lastPixels: Float32Array; lastProbabilities: number[] } }
      ).sparsevdPlayground;
      return { pixels: Array.from(p.lastPixels), probabilities: p.lastProbabilities };
    });
    expect(drawn.pixels.filter((v) => v > 0.5).length).toBeGreaterThan(20); // a real stroke reached the input
    const read = await readSparseFile(file)();
    if (E.isLeft(read)) throw new Error(read.left.message);
    const logits = sparseModel(read.right).predict(Float32Array.from(drawn.pixels), 1);
    const max = Math.max(...logits);
    const exps = Array.from(logits, (v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    exps.forEach((v, i) => {
      expect(v / total).toBeCloseTo(drawn.probabilities[i] as number, 6);
    });
    await page.screenshot({ path: join(RESULTS, 'playground-wasm.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('on webgl (SwiftShader): the same run within float32-on-GPU tolerance of Node', async () => {
    const { page, errors } = await openPage(browser, pageUrl(server.url, SHORT, 'webgl'));
    expect(await page.getAttribute('#backend', 'data-active')).toBe('webgl');
    await page.click('#start');
    expect(await waitForEnd(page, 840_000)).toBe('done');
    const got = await final(page);
    const want = node.at(-1) as EpochMetrics;
    expect(Math.abs(got.error - want.testError)).toBeLessThanOrEqual(0.003); // ±0.3 pp
    expect(Math.abs(got.compression / (want.compression as number) - 1)).toBeLessThanOrEqual(0.05); // ±5 %
    await page.screenshot({ path: join(RESULTS, 'playground-webgl.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('a paused run survives a page reload (IndexedDB) and resumes to the uninterrupted run, bit for bit', async () => {
    const small: Settings = { ...DEFAULT_SETTINGS, epochs: 3, trainSubset: 2_000, testSubset: 500, seed: 4 };
    const reference = await nodeRun(small);
    const { page, errors } = await openPage(browser, pageUrl(server.url, small, 'wasm'));
    await page.click('#start');
    await page.waitForFunction(
      () =>
        (window as unknown as { sparsevdPlayground: { metrics: unknown[] } }).sparsevdPlayground.metrics
          .length >= 1,
    );
    await page.click('#pause');
    expect(await waitForEnd(page)).toBe('paused');
    await page.reload();
    await page.waitForSelector('#status[data-state="idle"]');
    expect(await page.textContent('#progress')).toMatch(/a run stored in this browser stopped at epoch \d/);
    expect(await page.isEnabled('#resume')).toBe(true);
    await page.click('#resume');
    expect(await waitForEnd(page)).toBe('done');
    const metrics = await pageMetrics(page);
    const timeless = (ms: EpochMetrics[]) =>
      ms.map(({ seconds: _s, examplesPerSecond: _e, machine: _m, ...rest }) => rest);
    expect(timeless(metrics)).toEqual(timeless(reference));
    expect(errors).toEqual([]);
  });

  it('picks the best backend it has on its own, says which, and lets the user switch', async () => {
    const { page, errors } = await openPage(browser, server.url);
    const active = await page.getAttribute('#backend', 'data-active');
    expect(['webgpu', 'webgl']).toContain(active); // SwiftShader gives headless Chromium WebGL, maybe WebGPU
    expect(await page.textContent('#backend-info')).toContain(`running on ${active}`);
    await page.selectOption('#backend', 'cpu');
    await page.waitForSelector('#backend[data-active="cpu"]');
    expect(errors).toEqual([]);
  });
});
