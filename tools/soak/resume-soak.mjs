#!/usr/bin/env node
// Resume soak: a run killed with SIGKILL at random points — during training steps, during the end-of-epoch
// evaluation and during checkpoint writes — and resumed from its checkpoint, again and again, while other
// processes load every core, must end bit for bit where the uninterrupted run ends (the same metrics, the
// same parameters and Adam moments, by SHA-256).
//
//   node tools/soak/resume-soak.mjs [--backends native,wasm] [--trials 6] [--kills 3] [--epochs 3]
//                                   [--train-subset 600] [--test-subset 300] [--batch-size 50] [--seed 7]
//                                   [--no-load] [--short] [--json FILE]
//
// --short (what CI runs): 3 trials on native (when built) and 2 on wasm, 2 kills each. Exit code 1 when any
// resumed run differs from its reference; the table printed at the end lists kills by phase and identical runs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { availability } from '@sparsevd/backend-native';

const here = dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    backends: { type: 'string' },
    trials: { type: 'string' },
    kills: { type: 'string' },
    epochs: { type: 'string', default: '3' },
    'train-subset': { type: 'string', default: '600' },
    'test-subset': { type: 'string', default: '300' },
    'batch-size': { type: 'string', default: '50' },
    seed: { type: 'string', default: '7' },
    'no-load': { type: 'boolean', default: false },
    short: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const nativeBuilt = availability().available;
const backends = (flags.backends ?? (nativeBuilt ? 'native,wasm' : 'wasm')).split(',');
const trialsOf = (backend) => Number(flags.trials ?? (flags.short ? (backend === 'native' ? 3 : 2) : 6));
const kills = Number(flags.kills ?? (flags.short ? 2 : 3));
const config = {
  model: 'lenet300',
  dataset: 'mnist',
  epochs: Number(flags.epochs),
  trainSubset: Number(flags['train-subset']),
  testSubset: Number(flags['test-subset']),
  batchSize: Number(flags['batch-size']),
  seed: Number(flags.seed),
  trainClip: true,
};
const steps = Math.ceil(config.trainSubset / config.batchSize);

// A seeded generator for the kill points, so a failing soak can be rerun identically (--seed changes it too).
let state = (config.seed * 2654435761) >>> 0 || 1;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const pick = (n) => Math.floor(random() * n);

/**
 * Starts one training process in `dir`; resolves when it exits. `onMark(line, ms)` sees every marker line with
 * the time since start; it may return true to have the process killed with SIGKILL there and then.
 */
const runChild = (backend, dir, onMark = () => false) =>
  new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [join(here, 'soak-child.mjs'), backend, dir, JSON.stringify(config)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let pending = '';
    let stderr = '';
    let killedAt;
    const marks = [];
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      let cut = pending.indexOf('\n');
      while (cut >= 0) {
        const line = pending.slice(0, cut);
        pending = pending.slice(cut + 1);
        const ms = performance.now() - started;
        marks.push([line, ms]);
        if (killedAt === undefined && onMark(line, ms, child)) {
          killedAt = line;
        }
        cut = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code, signal) => {
      traces.set(dir, [...(traces.get(dir) ?? []), marks.map(([line]) => line)]);
      resolve({ code, signal, stderr, marks, killedAt });
    });
  });

/** The marker lines of every process run in a directory, run by run. */
const traces = new Map();
/** Losses by "epoch step" from marker lines (`step E S loss` / `eval E S loss`). */
const losses = (lines) =>
  new Map(
    lines
      .map((l) => l.split(' '))
      .filter(([kind]) => kind === 'step' || kind === 'eval')
      .map(([, e, s, loss]) => [`${e} ${s}`, loss]),
  );
/** Where a trial's runs first left the reference's losses: which run (from where) and which step. */
const divergence = (dir, refDir) => {
  const ref = losses(traces.get(refDir)?.flat() ?? []);
  for (const [i, run] of (traces.get(dir) ?? []).entries()) {
    for (const [at, loss] of losses(run))
      if (ref.get(at) !== loss)
        return `run ${i + 1} (${run[0]}) first differs at epoch/step ${at}: ${loss} vs ${ref.get(at)}`;
  }
  return 'every step loss equals the reference (the difference is after the last step)';
};

/** What the process was doing when it was killed, from its last marker and the files in its directory. */
const phaseOf = (lastMark, dir) => {
  if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) return 'checkpoint write';
  const [kind] = (lastMark ?? 'start').split(' ');
  return kind === 'eval'
    ? 'evaluation'
    : kind === 'end'
      ? 'checkpoint write'
      : kind === 'start'
        ? 'start-up'
        : 'training steps';
};

const load = [];
// A busy loop that ends itself once the soak is gone (killed before its exit handler could stop it): it checks
// its parent between bursts of work.
const BUSY =
  'const parent = process.ppid; for (;;) { for (let i = 0; i < 1e7; i += 1) Math.sqrt(Math.random()); if (process.ppid !== parent) process.exit(0); }';
const startLoad = () => {
  if (flags['no-load']) return;
  for (let i = 0; i < cpus().length; i += 1)
    load.push(spawn(process.execPath, ['-e', BUSY], { stdio: 'ignore' }));
};
const stopLoad = () => {
  for (const p of load.splice(0)) p.kill('SIGKILL');
};
process.on('exit', stopLoad);

const root = mkdtempSync(join(tmpdir(), 'sparsevd-soak-'));
const report = [];
let failures = 0;
for (const backend of backends) {
  // The uninterrupted reference, timed per phase so kills can be aimed inside evaluation and checkpoint writes.
  const refDir = mkdtempSync(join(root, `${backend}-reference-`));
  const ref = await runChild(backend, refDir);
  if (ref.code !== 0) {
    process.stderr.write(`resume-soak: the ${backend} reference run failed: ${ref.stderr.trim()}\n`);
    process.exit(1);
  }
  const reference = readFileSync(join(refDir, 'result.json'), 'utf8');
  const at = (prefix) => ref.marks.filter(([l]) => l.startsWith(prefix)).map(([, ms]) => ms);
  const span = (from, to) => {
    const a = at(from);
    const b = at(to);
    return Math.max(1, Math.min(...a.map((t, i) => (b[i] ?? t) - t)));
  };
  const evalMs = span('eval', 'end');
  const ckptMs = span('end', 'ckpt');
  const stepMs = (at('done')[0] ?? 1000) / (config.epochs * steps);
  startLoad();
  const row = { backend, trials: 0, kills: 0, byPhase: {}, identical: 0, evalMs, ckptMs, stepMs };
  for (let trial = 0; trial < trialsOf(backend); trial += 1) {
    const dir = mkdtempSync(join(root, `${backend}-trial-${trial}-`));
    for (let k = 0; k < kills; k += 1) {
      // Aim at a phase in turn: a random step, inside an evaluation, inside a checkpoint write.
      const aim = ['training steps', 'evaluation', 'checkpoint write'][(trial * kills + k) % 3];
      const epoch = pick(config.epochs);
      const step = pick(steps - 1);
      const delay =
        aim === 'training steps'
          ? random() * stepMs
          : aim === 'evaluation'
            ? random() * evalMs * 0.9
            : random() * ckptMs * 0.9;
      let armed = false;
      let last;
      const result = await runChild(backend, dir, (line, _ms, child) => {
        last = line;
        const [kind, e, s] = line.split(' ');
        const hit =
          aim === 'training steps'
            ? kind === 'step' && Number(e) >= epoch && Number(s) >= step
            : aim === 'evaluation'
              ? kind === 'eval' && Number(e) >= epoch
              : kind === 'end' && Number(e) >= epoch;
        if (!hit || armed) return false;
        armed = true;
        const fire = () => {
          if (child.exitCode === null) {
            const phase = phaseOf(last, dir);
            row.byPhase[phase] = (row.byPhase[phase] ?? 0) + 1;
            row.kills += 1;
            child.kill('SIGKILL');
          }
        };
        if (delay < 1) fire();
        else setTimeout(fire, delay);
        return true;
      });
      if (result.code === 0) break; // it finished before the aim was reached: nothing left to kill
      if (result.signal !== 'SIGKILL') {
        process.stderr.write(`resume-soak: a ${backend} run failed: ${result.stderr.trim()}\n`);
        failures += 1;
      }
    }
    // Resume (or restart, when killed before the first checkpoint) until the run finishes.
    let final;
    for (let attempt = 0; attempt < 3 && (final === undefined || final.code !== 0); attempt += 1)
      final = await runChild(backend, dir);
    row.trials += 1;
    const same =
      final.code === 0 &&
      existsSync(join(dir, 'result.json')) &&
      readFileSync(join(dir, 'result.json'), 'utf8') === reference;
    if (same) row.identical += 1;
    else {
      failures += 1;
      process.stderr.write(
        `resume-soak: ${backend} trial ${trial} differs from the uninterrupted run${final.code === 0 ? `; ${divergence(dir, refDir)}` : `: ${final.stderr.trim()}`}\n`,
      );
      if (final.code === 0)
        writeFileSync(
          join(root, `${backend}-trial-${trial}-differs.json`),
          readFileSync(join(dir, 'result.json')),
        );
    }
  }
  stopLoad();
  report.push(row);
}

process.stdout.write(
  `resume soak (LeNet-300-100, ${config.trainSubset} MNIST images, ${config.epochs} epochs of ${steps} steps, ` +
    `${flags['no-load'] ? 'no competing load' : `${cpus().length} busy processes competing for the cores`}):\n`,
);
for (const r of report)
  process.stdout.write(
    `  ${r.backend}: ${r.trials} resumed runs, ${r.kills} SIGKILLs (${Object.entries(r.byPhase)
      .map(([p, n]) => `${n} in ${p}`)
      .join(', ')}), ${r.identical} of ${r.trials} identical to the uninterrupted run bit for bit\n`,
  );
if (flags.json) writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
if (failures === 0) rmSync(root, { recursive: true, force: true });
else process.stderr.write(`resume-soak: ${failures} failure(s); the runs are kept in ${root}\n`);
process.exitCode = failures === 0 ? 0 : 1;
