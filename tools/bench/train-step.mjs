#!/usr/bin/env node
// One SparseVD training step at batch 100 (local reparameterization, KL, Adam: the trainer's own step, on
// real MNIST) for LeNet-300-100 and LeNet-5-Caffe on each backend given, in one process. Reports the median
// of the measured steps after warm-up, and ratios to the first backend listed.
// Usage: node tools/bench/train-step.mjs [--steps N] [--warmup N] [backend[:model,...] ...]
//   default: wasm cpu:lenet300 (cpu takes about a minute per LeNet-5 step; add cpu:lenet5 to measure it)
import { selectBackend } from '@sparsevd/backend';
import { DEFAULT_CONFIG, loadRunData, train } from '@sparsevd/train';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  args.splice(i, 2);
  return value;
};
const steps = flag('steps', 20);
const warmup = flag('warmup', 3);
const specs = (args.length > 0 ? args : ['wasm', 'cpu:lenet300']).map((s) => {
  const [backend, models] = s.split(':');
  return { backend, models: models ? models.split(',') : ['lenet300', 'lenet5'] };
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const { backend, models } of specs) {
  const chosen = await selectBackend({ backend, env: {} })();
  if (chosen._tag === 'Left') {
    for (const model of models) results.push({ backend, model, note: chosen.left.message });
    continue;
  }
  for (const model of models) {
    const n = model === 'lenet5' && backend === 'cpu' ? 3 : steps;
    const w = model === 'lenet5' && backend === 'cpu' ? 1 : warmup;
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
    if (run._tag === 'Left') {
      results.push({ backend, model, note: run.left.message.slice(0, 90) });
      continue;
    }
    results.push({ backend, model, ms: median(times), steps: times.length });
    process.stderr.write(`${backend} ${model}: ${median(times).toFixed(1)} ms (median of ${times.length})\n`);
  }
}
const base = Object.fromEntries(
  results.filter((r) => r.backend === specs[0].backend && r.ms).map((r) => [r.model, r.ms]),
);
process.stdout.write('| backend | model | ms per step (median) | vs first |\n|---|---|---|---|\n');
for (const r of results) {
  process.stdout.write(
    `| ${r.backend} | ${r.model} | ${r.ms ? `${r.ms.toFixed(1)} (${r.steps} steps)` : `— ${r.note}`} | ${r.ms && base[r.model] ? `${(r.ms / base[r.model]).toFixed(2)}×` : ''} |\n`,
  );
}
