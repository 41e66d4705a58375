import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/plain-node-gradients.mjs', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('the built package under plain node', () => {
  it('computes dense (cpu, wasm) and conv + max-pool (cpu) gradients that match finite differences', async () => {
    const pairs = ['cpu:conv', 'cpu:dense', 'wasm:dense'];
    const { stdout } = await run(process.execPath, [fixture, ...pairs], { env: { PATH: process.env.PATH } });
    const results = JSON.parse(stdout) as Array<{
      pair: string;
      backend: string;
      analytic: number;
      numeric: number;
      leaked: number;
      error?: string;
    }>;
    expect(results.map((r) => r.error ?? `${r.backend}:${r.pair.split(':')[1]}`)).toEqual(pairs);
    for (const { analytic, numeric, leaked } of results) {
      expect(Math.abs(analytic)).toBeGreaterThan(0.01);
      // float32 forward passes and a step of 1e-3: the central difference is good to a few 1e-4.
      expect(Math.abs(analytic - numeric)).toBeLessThan(5e-3 * Math.max(1, Math.abs(analytic)));
      expect(leaked).toBe(0);
    }
  });

  it('sparsevd-backend prints the report, exits 1 for an unavailable backend and 2 for a bad flag', async () => {
    const env = { PATH: process.env.PATH };
    const ok = await run(process.execPath, [bin, '--backend', 'cpu', '--json'], { env });
    expect(JSON.parse(ok.stdout)).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', requested: 'cpu' });
    const auto = await run(process.execPath, [bin], { env });
    expect(auto.stdout).toMatch(/^backend: /);
    expect(auto.stdout).toMatch(/cuda {8}@tensorflow\/tfjs-node-gpu not installed/);
    await expect(run(process.execPath, [bin, '--backend', 'tensorflow'], { env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/npm install @tensorflow\/tfjs-node@4\.22\.0/),
    });
    await expect(run(process.execPath, [bin, '--backend', 'gpu'], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown backend "gpu"/),
    });
  });
});
