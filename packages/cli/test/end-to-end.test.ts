import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { selectBackend } from '@sparsevd/backend';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
// The backend `auto` picks here (native when @sparsevd/backend-native is built, else wasm): the command must
// report the same one.
const auto = await selectBackend({ env: {} })();
const autoBackend = auto._tag === 'Right' ? auto.right.backend : 'none';
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const env = { PATH: process.env.PATH };
// A small real MNIST run: 500 training images, batch 50 → 10 steps per epoch; 300 test images.
const small = ['--train-subset', '500', '--test-subset', '300', '--batch-size', '50', '--seed', '3'];
// Long enough epochs (40 steps, a few seconds) that a signal lands while the run is still going.
const longer = ['--train-subset', '2000', '--test-subset', '300', '--batch-size', '50', '--seed', '3'];

const metrics = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const {
        seconds: _s,
        examplesPerSecond: _e,
        machine: _m,
        ...rest
      } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });

const waitFor = async (check: () => boolean, child: ChildProcess, ms = 60_000) => {
  const start = Date.now();
  while (!check()) {
    if (child.exitCode !== null)
      throw new Error(`the run ended (code ${child.exitCode}) before the condition held`);
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? -9 : null))),
  );

describe('sparsevd end to end on real MNIST (built command, plain node)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sparsevd-e2e-'));
  const reference = join(root, 'reference');

  it('trains one epoch, prints progress and the summary, and writes the run directory with three SVGs', async () => {
    const dir = join(root, 'one');
    const { stdout, stderr } = await run(
      process.execPath,
      [bin, 'train', ...small, '--epochs', '1', '--out', dir],
      { env },
    );
    expect(stderr).toMatch(
      /epoch 1\/1 \[.*\] 10\/10 \| loss [\d.]+ \| KL \d+ \| lr [\d.e+-]+ \| \d+ ex\/s \| ETA/,
    );
    expect(stderr).toMatch(/epoch 1\/1 test error [\d.]+ %\s+compression [\d.]+×/);
    expect(stdout).toMatch(/test error\s+[\d.]+ %\s+1\.92 %/);
    expect(stdout).toMatch(new RegExp(`backend\\s+${autoBackend}`));
    for (const f of [
      'config.json',
      'metrics.jsonl',
      'report.json',
      'checkpoint.ckpt',
      'training.svg',
      'log-alpha.svg',
      'first-layer-inputs.svg',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(metrics(dir)).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.layers.map((l: { name: string }) => l.name)).toEqual(['fc1', 'fc2', 'fc3']);
    const logAlpha = readFileSync(join(dir, 'log-alpha.svg'), 'utf8');
    expect(logAlpha).toMatch(/^<svg/);
    expect(logAlpha).toMatch(/log α per layer — threshold 3/);
    expect(logAlpha).toMatch(/fc1 \([\d.]+ % removed\)/);
    expect(readFileSync(join(dir, 'first-layer-inputs.svg'), 'utf8')).toMatch(
      /fc1: kept weights per input pixel — \d+ of 784 pixels used/,
    );
    expect(readFileSync(join(dir, 'training.svg'), 'utf8')).toMatch(/test error \(%\)/);
  });

  it('a run killed with SIGKILL and resumed ends with the same metrics as an uninterrupted run', async () => {
    await run(process.execPath, [bin, 'train', ...longer, '--epochs', '3', '--out', reference], { env });
    const dir = join(root, 'killed');
    const child = spawn(process.execPath, [bin, 'train', ...longer, '--epochs', '3', '--out', dir], {
      env,
      stdio: 'ignore',
    });
    const ended = exited(child);
    // Killed as soon as the first epoch's checkpoint exists (wherever the run is by then).
    await waitFor(() => existsSync(join(dir, 'checkpoint.ckpt')), child);
    child.kill('SIGKILL');
    expect(await ended).toBe(-9);
    const resumed = await run(process.execPath, [bin, 'resume', dir], { env });
    expect(resumed.stderr).toMatch(/resuming at epoch [23], step 0/);
    expect(metrics(dir)).toEqual(metrics(reference));
  });

  it('SIGINT saves a checkpoint mid-epoch and exits 130; resume finishes the identical run', async () => {
    const dir = join(root, 'interrupted');
    const child = spawn(process.execPath, [bin, 'train', ...longer, '--epochs', '3', '--out', dir], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d) => {
      err += String(d);
    });
    const ended = exited(child);
    await waitFor(() => err.includes('epoch 1/3 test error'), child);
    child.kill('SIGINT');
    expect(await ended).toBe(130);
    expect(err).toMatch(/checkpoint saved in .*checkpoint\.ckpt; continue with: sparsevd resume/);
    await run(process.execPath, [bin, 'resume', dir], { env });
    expect(metrics(dir)).toEqual(metrics(reference));
  });

  it('a run with pretraining, killed in its pretraining or in its main phase and resumed, ends as the uninterrupted run', async () => {
    const args = [...longer, '--method', 'sbp+sparsevd', '--pretrain-epochs', '2', '--epochs', '3'];
    const whole = join(root, 'pretrained-whole');
    await run(process.execPath, [bin, 'train', ...args, '--out', whole], { env });
    const phases = (d: string) => metrics(d).map((m) => `${m.phase} ${m.epoch}`);
    expect(phases(whole)).toEqual(['pretrain 1', 'pretrain 2', 'sparsevd 1', 'sparsevd 2', 'sparsevd 3']);
    // Killed when the first checkpoint exists: the pretraining's, after its first epoch.
    const inPretraining = join(root, 'pretrained-killed-early');
    const early = spawn(process.execPath, [bin, 'train', ...args, '--out', inPretraining], {
      env,
      stdio: 'ignore',
    });
    const earlyEnd = exited(early);
    await waitFor(() => existsSync(join(inPretraining, 'checkpoint.ckpt')), early);
    early.kill('SIGKILL');
    expect(await earlyEnd).toBe(-9);
    if (!phases(inPretraining).some((p) => p.startsWith('sparsevd'))) {
      // Still in the pretraining: eval refuses the pretraining network and says how to continue.
      const refused = await run(process.execPath, [bin, 'eval', inPretraining], { env }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(
          /still in its pretraining \(\d of 2 epochs done\); continue it with: sparsevd resume/,
        ),
      });
    }
    const resumedEarly = await run(process.execPath, [bin, 'resume', inPretraining], { env });
    expect(resumedEarly.stderr).toMatch(/resuming (the pretraining )?at epoch \d, step 0/);
    expect(metrics(inPretraining)).toEqual(metrics(whole));
    // Killed once the main phase has begun: the pretraining epochs stay in metrics.jsonl.
    const inMain = join(root, 'pretrained-killed');
    const child = spawn(process.execPath, [bin, 'train', ...args, '--out', inMain], { env, stdio: 'ignore' });
    const ended = exited(child);
    await waitFor(
      () => existsSync(join(inMain, 'metrics.jsonl')) && phases(inMain).includes('sparsevd 1'),
      child,
    );
    child.kill('SIGKILL');
    expect(await ended).toBe(-9);
    await run(process.execPath, [bin, 'resume', inMain], { env });
    expect(metrics(inMain)).toEqual(metrics(whole));
  });

  it('eval, export (CSR, 8-bit) and report work on a finished run', async () => {
    const evaluated = await run(process.execPath, [bin, 'eval', reference], { env });
    expect(evaluated.stdout).toMatch(/test error, pruned \(eval mode, log α < 3\): [\d.]+ %/);
    expect(evaluated.stdout).toMatch(/compression \|W\| \/ \|W ≠ 0\|: [\d.]+×/);
    expect(evaluated.stdout).toMatch(
      /units kept: \d+-\d+-\d+ of 784-300-100; FLOPs of one example: [\d,]+ of 532,400 \([\d.]+× fewer\)/,
    );
    // report.json of a SparseVD run carries the structure too (units kept, FLOPs), as the structured methods' do.
    const stored = JSON.parse(readFileSync(join(reference, 'report.json'), 'utf8'));
    expect(stored.structure.unitsBefore).toBe('784-300-100');
    expect(stored.structure.flops.before).toBe(532400);
    const exported = await run(
      process.execPath,
      [bin, 'export', reference, '--format', 'csr', '--quantize', '8'],
      { env },
    );
    expect(exported.stdout).toMatch(/wrote .*model\.spvd: \d+ bytes/);
    expect(exported.stdout).toMatch(
      /test error of the sparse model with 8-bit values: [\d.]+ %\ntest error with float32 values: [\d.]+ %/,
    );
    // A second export to the same file is refused and leaves the first one as it was.
    const modelFile = join(reference, 'model.spvd');
    const first = readFileSync(modelFile);
    const twice = await run(process.execPath, [bin, 'export', reference], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(twice).toMatchObject({ code: 2, stderr: expect.stringMatching(/model\.spvd already exists/) });
    expect(readFileSync(modelFile).equals(first)).toBe(true);
    const report = await run(process.execPath, [bin, 'report', reference], { env });
    expect(report.stdout).toMatch(/removed per layer/);
    const again = await run(process.execPath, [bin, 'resume', reference], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/already finished all 3 epochs/) });
  });

  it('--init-from starts a run from a finished one (recorded in config.json); a wrong source is refused', async () => {
    const dir = join(root, 'from-reference');
    await run(
      process.execPath,
      [
        bin,
        'train',
        ...small,
        '--method',
        'sbp+sparsevd',
        '--epochs',
        '1',
        '--init-from',
        reference,
        '--out',
        dir,
      ],
      { env },
    );
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(stored.config).toMatchObject({ initFrom: reference, method: 'sbp+sparsevd', pretrainEpochs: 0 });
    expect(metrics(dir)).toHaveLength(1);
    // Started from the reference's SparseVD weights, its first epoch is already sparse.
    expect(metrics(dir)[0]?.compression).toBeGreaterThan(5);
    // eval and report.json count the weights as the epochs do: those of the compacted network (with unit noise,
    // a removed unit's weights are removed).
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.compression).toBeCloseTo(metrics(dir)[0]?.compression as number, 6);
    const evaluated = await run(process.execPath, [bin, 'eval', dir], { env });
    expect(evaluated.stdout).toContain(`(${report.keptWeights} of ${report.totalWeights} weights kept)`);
    const refuse = (args: string[]) =>
      run(process.execPath, [bin, 'train', ...small, ...args], { env }).catch(
        (e: { code: number; stderr: string }) => e,
      );
    expect(
      await refuse(['--init-from', join(root, 'nothing-here'), '--out', join(root, 'x1')]),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--init-from: .*nothing-here holds no checkpoint\.ckpt/),
    });
    expect(
      await refuse(['--model', 'lenet5', '--init-from', reference, '--out', join(root, 'x2')]),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--init-from: .* trained lenet300; this run trains lenet5/),
    });
  });
});
