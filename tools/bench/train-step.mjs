#!/usr/bin/env node
// One SparseVD training step at batch 100 (local reparameterization, KL, Adam: the trainer's own step, on real
// MNIST) for LeNet-300-100 and LeNet-5-Caffe, on the tfjs backends given and on a PyTorch reference of the same
// step (tools/bench/torch_step.py, run with Debian's python3-torch and libopenblas0-pthread), in one run.
// Each configuration runs in its own process, --reps times; a repetition's figure is the median step after
// warm-up, and the table gives the median of the repetitions, and the ratio to PyTorch's best (1 or 2 threads).
//
// Usage: node tools/bench/train-step.mjs [--steps N (50)] [--warmup N (50)] [--reps R (3)] [--models a,b] [config ...]
//   configs: native (the addon's default threads), native@1, native@2, wasm, cpu, torch@1, torch@2
//   default: native@1 native@2 wasm torch@1 torch@2 (cpu takes ~1 min per LeNet-5 step; add it by name)
// Writes the table to stdout and the raw figures to bench-out/train-step.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// --child BACKEND MODEL STEPS WARMUP: one measurement in this process; prints {"ms", "times"} as JSON.
if (args[0] === '--child') {
  const [, backend, model, steps, warmup] = args;
  const { selectBackend } = await import('@sparsevd/backend');
  const { DEFAULT_CONFIG, loadRunData, train } = await import('@sparsevd/train');
  const chosen = await selectBackend({ backend, env: {} })();
  if (chosen._tag === 'Left') {
    process.stdout.write(`${JSON.stringify({ note: chosen.left.message.split('\n')[0] })}\n`);
    process.exit(0);
  }
  const n = Number(steps);
  const w = Number(warmup);
  const config = {
    ...DEFAULT_CONFIG,
    model,
    epochs: 1,
    trainSubset: 100 * (n + w),
    testSubset: 100,
    trainClip: model === 'lenet300',
  };
  const data = await loadRunData(config)();
  if (data._tag === 'Left') throw new Error(data.left.message);
  const times = [];
  let last = 0;
  const run = await train(config, data.right, {
    onEvent: (e) => {
      if (e.type === 'epoch-start') last = performance.now();
      if (e.type === 'step') {
        const now = performance.now();
        if (e.step >= w) times.push(now - last);
        last = now;
      }
    },
  })();
  if (run._tag === 'Left')
    process.stdout.write(`${JSON.stringify({ note: run.left.message.slice(0, 90) })}\n`);
  else process.stdout.write(`${JSON.stringify({ ms: median(times), times })}\n`);
  process.exit(0);
}

// Steady state: V8 optimises the step's JavaScript (tfjs's engine, the trainer) over its first few dozen steps.
// Measured on native for LeNet-300-100: 5 warm-up steps give 7.3–7.8 ms per step, 30 give 5.2–6.2, 100 give
// 4.7–5.4; PyTorch's step is the same after 5, 30 or 100. A training run takes thousands of steps.
const steps = Number(option('steps', '50'));
const warmup = Number(option('warmup', '50'));
const reps = Number(option('reps', '3'));
const models = option('models', 'lenet300,lenet5').split(',');
const configs = args.length > 0 ? args : ['native@1', 'native@2', 'wasm', 'torch@1', 'torch@2'];

/** One repetition of one configuration: { ms } or { note }. */
const measure = (config, model) => {
  const [backend, threads] = config.split('@');
  // cpu needs about a minute per LeNet-5 step: a few steps are enough there.
  const [n, w] = backend === 'cpu' && model === 'lenet5' ? [3, 1] : [steps, warmup];
  const child =
    backend === 'torch'
      ? spawnSync(
          '/usr/bin/python3',
          [join(here, 'torch_step.py'), model, threads ?? '1', String(n), String(w)],
          {
            encoding: 'utf8',
          },
        )
      : spawnSync(
          process.execPath,
          [fileURLToPath(import.meta.url), '--child', backend, model, String(n), String(w)],
          {
            encoding: 'utf8',
            cwd: root,
            env: { ...process.env, ...(threads ? { SPARSEVD_NATIVE_THREADS: threads } : {}) },
          },
        );
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line);
  } catch {
    // A crashed child: its first error line (e.g. a kernel the backend lacks), not Node's version banner.
    const lines = (child.stderr || child.error?.message || 'no output').trim().split('\n');
    return { note: (lines.find((l) => /Error/.test(l)) ?? lines.at(-1) ?? '').trim().slice(0, 100) };
  }
};

const results = [];
for (const model of models) {
  for (const config of configs) {
    const runs = [];
    let note;
    for (let r = 0; r < reps && note === undefined; r += 1) {
      const m = measure(config, model);
      if (m.ms === undefined) note = m.note;
      else runs.push(m.ms);
    }
    const ms = runs.length > 0 ? median(runs) : undefined;
    results.push({ config, model, ms, runs, note });
    process.stderr.write(
      `${config} ${model}: ${ms === undefined ? note : `${ms.toFixed(1)} ms (reps ${runs.map((x) => x.toFixed(1)).join(', ')})`}\n`,
    );
  }
}

const best = Object.fromEntries(
  models.map((model) => {
    const torch = results.filter(
      (r) => r.model === model && r.config.startsWith('torch') && r.ms !== undefined,
    );
    return [model, torch.length > 0 ? Math.min(...torch.map((r) => r.ms)) : undefined];
  }),
);
process.stdout.write(
  `SparseVD train step, batch 100 (median of ${reps} runs × ${steps} steps after ${warmup} warm-up)\n\n`,
);
process.stdout.write('| model | config | ms per step | runs | vs PyTorch best |\n|---|---|---|---|---|\n');
for (const r of results) {
  const ratio =
    r.ms !== undefined && best[r.model] !== undefined ? `${(r.ms / best[r.model]).toFixed(2)}×` : '';
  process.stdout.write(
    `| ${r.model} | ${r.config} | ${r.ms === undefined ? `— ${r.note}` : r.ms.toFixed(1)} | ${r.runs.map((x) => x.toFixed(1)).join(', ')} | ${ratio} |\n`,
  );
}
mkdirSync(join(root, 'bench-out'), { recursive: true });
writeFileSync(
  join(root, 'bench-out', 'train-step.json'),
  `${JSON.stringify({ steps, warmup, reps, results }, null, 2)}\n`,
);
