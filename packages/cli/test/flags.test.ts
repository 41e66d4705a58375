import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/index.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

const taken = mkdtempSync(join(tmpdir(), 'sparsevd-taken-'));
mkdirSync(taken, { recursive: true });
writeFileSync(join(taken, 'config.json'), '{}');

// Each bad command line: exit code 2, one line naming the flag and the problem, no stack trace.
const cases: Array<[string, string[], RegExp]> = [
  [
    'unknown model',
    ['train', '--model', 'resnet50'],
    /--model: unknown model "resnet50"; expected one of lenet300, lenet5, vgg/,
  ],
  ['zero epochs', ['train', '--epochs', '0'], /--epochs: must be a positive integer, got 0/],
  ['negative epochs', ['train', '--epochs', '-3'], /--epochs: must be a positive integer, got -3/],
  ['fractional epochs', ['train', '--epochs', '2.5'], /--epochs: must be a positive integer, got 2\.5/],
  ['lr of zero', ['train', '--lr', '0'], /--lr: must be a finite number > 0, got 0/],
  ['negative lr', ['train', '--lr', '-0.001'], /--lr: must be a finite number > 0, got -0\.001/],
  ['lr not a number', ['train', '--lr', 'fast'], /--lr: "fast" is not a number/],
  [
    'batch size larger than the dataset',
    ['train', '--batch-size', '700', '--train-subset', '600', '--out', join(taken, 'new')],
    /--batch-size: 700 is larger than the 600 training examples/,
  ],
  [
    'threshold not finite',
    ['train', '--threshold', '1e999'],
    /--threshold: must be a finite number, got Infinity/,
  ],
  ['threshold not a number', ['train', '--threshold', 'NaN'], /--threshold: "NaN" is not a number/],
  [
    'directory holding another run',
    ['train', '--out', taken],
    /--out: .* already holds a run \(config\.json\)/,
  ],
  ['unknown flag', ['train', '--epoch', '3'], /Unknown option '--epoch'/],
  ['unknown backend', ['train', '--backend', 'tpu'], /--backend: unknown backend "tpu"/],
  ['vgg on mnist', ['train', '--model', 'vgg', '--dataset', 'mnist'], /vgg does not take mnist inputs/],
  ['unknown command', ['fit'], /unknown command "fit"/],
  ['export format', ['export', taken, '--format', 'coo'], /--format: "coo" is not supported/],
];

describe('sparsevd flag validation (the built command under plain node)', () => {
  it.each(cases)('%s → exit 2 with a one-line error', async (_name, args, message) => {
    const failed = await run(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH } }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    const lines = (failed?.stderr ?? '').trim().split('\n');
    expect(lines[0]).toMatch(/^sparsevd: /);
    expect(lines[0]).toMatch(message);
    expect(lines).toHaveLength(2); // the error and the pointer to --help
    expect(failed?.stderr).not.toMatch(/\n\s+at /);
  });

  it('parses a full train command into a configuration, with --protocol paper', () => {
    const parsed = parseCommand([
      'train',
      '--model',
      'lenet5',
      '--dataset',
      'fashion-mnist',
      '--epochs',
      '3',
      '--kl-warmup',
      '1:2',
      '--seed',
      '9',
    ]);
    expect(E.isRight(parsed) && parsed.right).toMatchObject({
      name: 'train',
      backend: 'auto',
      config: {
        model: 'lenet5',
        dataset: 'fashion-mnist',
        epochs: 3,
        klSchedule: { kind: 'linear', start: 1, end: 2 },
        seed: 9,
        trainClip: false,
      },
    });
    const paper = parseCommand(['train', '--protocol', 'paper']);
    expect(E.isRight(paper) && paper.right).toMatchObject({
      config: { epochs: 200, trainClip: true, lr: 1e-3 },
    });
  });
});
