import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/index.js';

const run = promisify(execFile);
// The command as npm links it into the workspace (what `npx sparsevd` runs): linked at install time and
// executable, run directly rather than through `node`.
const bin = fileURLToPath(new URL('../../../node_modules/.bin/sparsevd', import.meta.url));

const taken = mkdtempSync(join(tmpdir(), 'sparsevd-taken-'));
mkdirSync(taken, { recursive: true });
writeFileSync(join(taken, 'config.json'), '{}');
// A directory holding somebody else's metrics.jsonl (no config.json), and a plain file.
const occupied = mkdtempSync(join(tmpdir(), 'sparsevd-occupied-'));
writeFileSync(join(occupied, 'metrics.jsonl'), 'precious\n');
const plainFile = join(occupied, 'metrics.jsonl');

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
  [
    'directory holding files that are not a run',
    ['train', '--out', occupied, '--epochs', '1', '--train-subset', '100', '--test-subset', '100'],
    /--out: .* is not empty \(metrics\.jsonl\); a new run needs a new or empty directory/,
  ],
  ['--out naming a file', ['train', '--out', plainFile], /--out: .* exists and is not a directory/],
  [
    'training subset larger than the dataset',
    ['train', '--train-subset', '70000', '--out', join(taken, 'subset')],
    /--train-subset: 70000 is more than the 60000 training examples of mnist/,
  ],
  [
    'KL warm-up with end before start',
    ['train', '--kl-warmup', '20:5'],
    /--kl-warmup: needs 0 ≤ start ≤ end, got 20–5/,
  ],
  [
    'unknown KL approximation',
    ['train', '--kl', 'exact'],
    /--kl: unknown kl "exact"; expected one of molchanov, kingma/,
  ],
  ['unknown flag', ['train', '--epoch', '3'], /Unknown option '--epoch'/],
  ['unknown backend', ['train', '--backend', 'tpu'], /--backend: unknown backend "tpu"/],
  ['vgg on mnist', ['train', '--model', 'vgg', '--dataset', 'mnist'], /vgg does not take mnist inputs/],
  ['unknown command', ['fit'], /unknown command "fit"/],
  ['export format', ['export', taken, '--format', 'coo'], /--format: "coo" is not supported/],
];

describe('sparsevd flag validation (the built command under plain node)', () => {
  it.each(cases)('%s → exit 2 with a one-line error', async (_name, args, message) => {
    const failed = await run(bin, args, { env: { PATH: process.env.PATH } }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    const lines = (failed?.stderr ?? '').trim().split('\n');
    expect(lines[0]).toMatch(/^sparsevd: /);
    expect(lines[0]).toMatch(message);
    expect(lines).toHaveLength(2); // the error and the pointer to --help
    expect(failed?.stderr).not.toMatch(/\n\s+at /);
    // Nothing is touched: the foreign file keeps its content and nothing is added beside it.
    expect(readFileSync(plainFile, 'utf8')).toBe('precious\n');
    expect(readdirSync(occupied)).toEqual(['metrics.jsonl']);
  });

  it.each([[['--help']], [['train', '--help']], [['resume', '--help']], [['export', 'x', '-h']]])(
    '%j prints the usage and exits 0',
    async (args) => {
      const { stdout } = await run(bin, args, { env: { PATH: process.env.PATH } });
      expect(stdout).toMatch(/^usage:\n {2}sparsevd train /);
    },
  );

  it("--method chooses SparseVD, SBP or both; --protocol paper then means the SBP authors' protocol", () => {
    const sbp = parseCommand([
      'train',
      '--model',
      'lenet5',
      '--method',
      'sbp+sparsevd',
      '--protocol',
      'paper',
    ]);
    expect(E.isRight(sbp) && sbp.right).toMatchObject({
      config: {
        method: 'sbp+sparsevd',
        epochs: 200,
        pretrainEpochs: 200,
        batchSize: 128,
        klSchedule: { kind: 'constant', value: 1 },
        logSigma2Init: -15,
        pretrainRegularizer: 'none',
      },
    });
    // The pretraining's regulariser can be chosen; a wrong one is refused by name.
    const regularized = parseCommand([
      'train',
      '--method',
      'sbp+sparsevd',
      '--protocol',
      'paper',
      '--pretrain-regularizer',
      'dropout+l2',
    ]);
    expect(E.isRight(regularized) && regularized.right).toMatchObject({
      config: { pretrainRegularizer: 'dropout+l2', pretrainEpochs: 200 },
    });
    expect(parseCommand(['train', '--pretrain-epochs', '2', '--pretrain-regularizer', 'l1'])).toEqual(
      E.left(
        expect.objectContaining({
          message:
            '--pretrain-regularizer: unknown pretrain-regularizer "l1"; expected one of dropout+l2, none',
        }),
      ),
    );
    // --init-from replaces the protocol's pretraining.
    const fromRun = parseCommand([
      'train',
      '--method',
      'sbp+sparsevd',
      '--protocol',
      'paper',
      '--init-from',
      'runs/dense',
    ]);
    expect(E.isRight(fromRun) && fromRun.right).toMatchObject({
      config: { initFrom: 'runs/dense', pretrainEpochs: 0, logSigma2Init: -15, epochs: 200 },
    });
    expect(parseCommand(['train', '--init-from', 'runs/dense', '--pretrain-epochs', '3'])).toEqual(
      E.left(
        expect.objectContaining({
          message: expect.stringMatching(/^--init-from and --pretrain-epochs exclude/),
        }),
      ),
    );
    const plain = parseCommand(['train', '--method', 'sparsevd', '--protocol', 'paper']);
    expect(E.isRight(plain) && plain.right).toMatchObject({
      config: { method: 'sparsevd', pretrainEpochs: 0 },
    });
    expect(parseCommand(['train', '--method', 'sbp', '--dense'])).toEqual(
      E.left(
        expect.objectContaining({
          message: '--method: sbp and the dense baseline exclude each other',
        }),
      ),
    );
    expect(parseCommand(['train', '--method', 'l0'])).toEqual(
      E.left(
        expect.objectContaining({
          message: '--method: unknown method "l0"; expected one of sparsevd, sbp, sbp+sparsevd',
        }),
      ),
    );
  });

  it('--magnitude-sparsity prunes the dense baseline by magnitude; --magnitude-epochs sets its window', () => {
    const paper = parseCommand([
      'train',
      '--dense',
      '--protocol',
      'paper',
      '--magnitude-sparsity',
      '0.98,0.9,0.5',
    ]);
    expect(E.isRight(paper) && paper.right).toMatchObject({
      config: { dense: true, magnitude: { sparsity: [0.98, 0.9, 0.5], startEpoch: 20, endEpoch: 100 } },
    });
    const window = parseCommand([
      'train',
      '--dense',
      '--epochs',
      '10',
      '--magnitude-sparsity',
      '0.9',
      '--magnitude-epochs',
      '2:6',
    ]);
    expect(E.isRight(window) && window.right).toMatchObject({
      config: { magnitude: { sparsity: [0.9], startEpoch: 2, endEpoch: 6 } },
    });
    const message = (args: string[]) => {
      const r = parseCommand(['train', ...args]);
      return E.isLeft(r) ? r.left.message : 'parsed';
    };
    expect(message(['--magnitude-sparsity', '0.9'])).toBe(
      '--magnitude-sparsity: magnitude pruning prunes the dense baseline: it needs dense',
    );
    expect(message(['--dense', '--magnitude-sparsity', '0.9,x'])).toMatch(/"x" is not a number/);
    expect(message(['--dense', '--magnitude-sparsity', '1.2'])).toMatch(/in \[0, 1\), got 1.2/);
    expect(message(['--dense', '--magnitude-epochs', '1:2'])).toBe(
      '--magnitude-epochs needs --magnitude-sparsity',
    );
    expect(message(['--dense', '--magnitude-sparsity', '0.9', '--magnitude-epochs', '5'])).toMatch(
      /"5" is not START:END/,
    );
    expect(
      message(['--dense', '--epochs', '4', '--magnitude-sparsity', '0.9', '--magnitude-epochs', '1:9']),
    ).toMatch(/start < end ≤ epochs \(4\), got 1:9/);
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
