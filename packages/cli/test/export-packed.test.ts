import { execFile } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readSparseFile } from '@sparsevd/pruning/node';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const env = { PATH: process.env.PATH };

describe('sparsevd export --format spvd (built command, plain node)', () => {
  it('picks bits per layer on held-out training images within the budget; the file reads back; --bits N fixes them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sparsevd-spvd-'));
    const dir = join(root, 'run');
    await run(
      process.execPath,
      [
        bin,
        'train',
        '--train-subset',
        '2000',
        '--test-subset',
        '500',
        '--batch-size',
        '50',
        '--seed',
        '5',
        '--epochs',
        '2',
        '--out',
        dir,
      ],
      { env },
    );
    const csr = join(root, 'v1.spvd');
    await run(process.execPath, [bin, 'export', dir, '--format', 'csr', '--out', csr], { env });
    const swept = join(root, 'swept.spvd');
    const { stdout } = await run(
      process.execPath,
      [bin, 'export', dir, '--format', 'spvd', '--error-budget', '0.5', '--out', swept],
      {
        env,
      },
    );
    expect(stdout).toMatch(/wrote .*swept\.spvd: \d+ bytes \(format version 2; \d+ weights kept\)/);
    expect(stdout).toMatch(/bits per layer: (fc\d \d+(, )?){3} \(\d+ candidates tried\)/);
    // 2 000 of 60 000 images trained on: the validation split is 10 000 the run never saw.
    const [, base, packed] =
      /validation error \(10000 training images the run did not train on\): ([\d.]+) % unquantised → ([\d.]+) % packed/.exec(
        stdout,
      ) ?? [];
    expect(Number(packed)).toBeLessThanOrEqual(Number(base) + 0.5 + 1e-9);
    expect(statSync(swept).size).toBeLessThan(statSync(csr).size / 3);
    const read = await readSparseFile(swept)();
    if (E.isLeft(read)) throw new Error(read.left.message);
    expect(read.right.inputShape).toEqual([784]);

    // `sparsevd eval` reads the export as it ships; a truncated copy is refused with the reason.
    const evaluated = await run(process.execPath, [bin, 'eval', swept], { env });
    expect(evaluated.stdout).toMatch(
      /swept\.spvd: sparse file, \d+ bytes; MNIST test error [\d.]+ % \(10000 images\)/,
    );
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(join(root, 'cut.spvd'), readFileSync(swept).subarray(0, 200));
    const cut = await run(process.execPath, [bin, 'eval', join(root, 'cut.spvd')], { env }).catch(
      (error: { stderr: string; code: number }) => error,
    );
    expect((cut as { stderr: string }).stderr).toMatch(
      /cut\.spvd: checksum does not match: the file is truncated or corrupted/,
    );
    const fixed = join(root, 'b2.spvd');
    const two = await run(
      process.execPath,
      [bin, 'export', dir, '--format', 'spvd', '--bits', '2', '--out', fixed],
      { env },
    );
    expect(two.stdout).toMatch(/bits per layer: 2 everywhere/);
    expect(statSync(fixed).size).toBeLessThan(statSync(swept).size);
    const again = await run(
      process.execPath,
      [bin, 'export', dir, '--format', 'spvd', '--bits', '2', '--out', fixed],
      { env },
    ).catch((error: { stderr: string; code: number }) => error);
    expect((again as { stderr: string }).stderr).toMatch(/--out: .*b2\.spvd already exists/);
    for (const [args, message] of [
      [['--bits', '0'], /--bits: 0 is not a whole number from 1 to 16/],
      [['--bits', '4', '--error-budget', '0.1'], /--bits and --error-budget contradict each other/],
      [['--quantize', '8'], /--quantize: spvd chooses its own quantisation/],
    ] as const) {
      const failed = await run(process.execPath, [bin, 'export', dir, '--format', 'spvd', ...args], {
        env,
      }).catch((error: { stderr: string; code: number }) => error);
      expect((failed as { stderr: string }).stderr).toMatch(message);
      expect((failed as { code: number }).code).toBe(2);
    }
  });
});
