#!/usr/bin/env node
// One SparseVD training step at batch 100 (local reparameterization, KL, Adam: the trainer's own step, on real
// MNIST) for LeNet-300-100 and LeNet-5-Caffe, on the tfjs backends given and on a PyTorch reference of the same
// step (tools/bench/torch_step.py, run with Debian's python3-torch and libopenblas0-pthread), in one run.
// Each configuration runs in its own process, --reps times; a repetition's figure is the median step after
// warm-up, and the table gives the median of the repetitions, the ratio to PyTorch's best (1 or 2 threads) and
// the ratio to the step's FLOP floor: 2 × the multiply-adds of every product in the step (forward mean and
// variance; backward θ, log σ² and input gradients, none for the first layer's input), counted from the network
// shapes, divided by the rate the addon's sgemm reaches on a large square product (2n³ per product) measured in
// the same run on the same number of threads. The header names the CPU, its SIMD flags and the native version.
// Models `lenet300-sbp` and `lenet5-sbp` take the step of `--method sbp+sparsevd` (the same products, plus
// Structured Bayesian Pruning's unit noise: its sample and KL); PyTorch has no step of theirs.
//
// Usage: node tools/bench/train-step.mjs [--steps N (50)] [--warmup N (50)] [--reps R (3)] [--models a,b]
//                                        [--isa all|avx512|avx2|baseline] [config ...]
//   configs: native (the addon's default threads), native@1, native@2, wasm, cpu, torch@1, torch@2, and
//   native-composed[@N]: native with every fused kernel off (SPARSEVD_FUSED=0, as the CLI takes it), and
//   native-noise-composed[@N]: native with only the unit noise's two kernels unregistered (its sample and KL
//   composed of tfjs ops, as before those kernels existed), for the fused kernels' own gain in the same run
//   default: native@1 native@2 wasm torch@1 torch@2 (cpu takes ~1 min per LeNet-5 step; add it by name)
//   --isa all runs each native configuration once per version of the vectorised kernels this CPU runs (an
//   AVX-512 machine measures its AVX2 and baseline code too); --isa NAME runs that version only. OpenBLAS keeps
//   its own kernel choice (OPENBLAS_CORETYPE, when set, is printed in the header).
// Writes the table to stdout and the raw figures to bench-out/train-step.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
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

// --sgemm N ISA: the native backend's matMul of two N×N matrices (the addon's sgemm on its threads); prints
// {"gflops"} (2N³ per product, the median of 9 after 3 warm-up products).
if (args[0] === '--sgemm') {
  const [, size, isa] = args;
  const n = Number(size);
  const tf = await import('@tensorflow/tfjs-core');
  const { selectBackend } = await import('@sparsevd/backend');
  const chosen = await selectBackend({ backend: 'native', env: {}, ...(isa ? { nativeIsa: isa } : {}) })();
  if (chosen._tag === 'Left') {
    process.stdout.write(`${JSON.stringify({ note: chosen.left.message.split('\n')[0] })}\n`);
    process.exit(0);
  }
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const times = [];
  for (let i = 0; i < 12; i += 1) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    if (i >= 3) times.push(performance.now() - t0);
    c.dispose();
  }
  process.stdout.write(
    `${JSON.stringify({ gflops: (2 * n ** 3) / (median(times) * 1e6), details: chosen.right.native?.details })}\n`,
  );
  process.exit(0);
}

// --child BACKEND MODEL STEPS WARMUP [ISA]: one measurement in this process; prints {"ms", "times"} as JSON.
if (args[0] === '--child') {
  const [, backend, model, steps, warmup, isa] = args;
  const { selectBackend } = await import('@sparsevd/backend');
  const { DEFAULT_CONFIG, train } = await import('@sparsevd/train');
  const { loadRunData } = await import('@sparsevd/train/node');
  const chosen = await selectBackend({ backend, env: {}, ...(isa ? { nativeIsa: isa } : {}) })();
  if (chosen._tag === 'Left') {
    process.stdout.write(`${JSON.stringify({ note: chosen.left.message.split('\n')[0] })}\n`);
    process.exit(0);
  }
  if (process.env.SPARSEVD_BENCH_NOISE_COMPOSED === '1') {
    const tf = await import('@tensorflow/tfjs-core');
    const { FUSED_KERNELS } = await import('@sparsevd/kernels');
    for (const k of [FUSED_KERNELS.unitNoiseKl, FUSED_KERNELS.unitNoiseSample])
      tf.unregisterKernel(k.name, tf.getBackend());
  }
  const n = Number(steps);
  const w = Number(warmup);
  const [base, sbp] = model.split('-');
  const config = {
    ...DEFAULT_CONFIG,
    model: base,
    ...(sbp === 'sbp' ? { method: 'sbp+sparsevd' } : {}),
    epochs: 1,
    trainSubset: 100 * (n + w),
    testSubset: 100,
    trainClip: base === 'lenet300',
  };
  const data = await loadRunData(config)();
  if (data._tag === 'Left') throw new Error(data.left.message);
  const times = [];
  let last = 0;
  const run = await train(config, data.right, {
    fusedKernels: process.env.SPARSEVD_FUSED !== '0',
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
  else
    process.stdout.write(
      `${JSON.stringify({ ms: median(times), times, details: chosen.right.native?.details })}\n`,
    );
  process.exit(0);
}

// Steady state: V8 optimises the step's JavaScript (tfjs's engine, the trainer) over its first few dozen steps.
// Measured on native for LeNet-300-100: 5 warm-up steps give 7.3–7.8 ms per step, 30 give 5.2–6.2, 100 give
// 4.7–5.4; PyTorch's step is the same after 5, 30 or 100. A training run takes thousands of steps.
const steps = Number(option('steps', '50'));
const warmup = Number(option('warmup', '50'));
const reps = Number(option('reps', '3'));
const models = option('models', 'lenet300,lenet5').split(',');
const isaOption = option('isa', undefined);
const baseConfigs = args.length > 0 ? args : ['native@1', 'native@2', 'wasm', 'torch@1', 'torch@2'];

// The CPU, and the versions of the native kernels it runs (asked of the addon in a child, like every figure).
const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
const cpuFlags = new Set((cpuinfo.match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/));
const simdFlags = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512vl',
  'avx512bw',
  'avx512dq',
  'avx512_bf16',
  'asimd',
  'sve',
].filter((f) => cpuFlags.has(f));
const probe = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "import('@sparsevd/backend-native').then((m) => process.stdout.write(JSON.stringify({ isas: m.supportedIsas(), details: m.availability() })))",
  ],
  { encoding: 'utf8', cwd: root },
);
const native = (() => {
  try {
    return JSON.parse(probe.stdout);
  } catch {
    return { isas: [], details: { available: false, reason: 'not installed' } };
  }
})();
const isas =
  isaOption === undefined
    ? [undefined]
    : isaOption === 'all'
      ? [...native.isas].reverse()
      : isaOption.split(',');
const configs = baseConfigs.flatMap((c) =>
  c.startsWith('native') ? isas.map((isa) => (isa === undefined ? c : `${c}:${isa}`)) : [c],
);

/** One repetition of one configuration: { ms } or { note }. */
const measure = (config, model) => {
  const [spec, isa] = config.split(':');
  const [name, threads] = spec.split('@');
  const composed = name === 'native-composed';
  const noiseComposed = name === 'native-noise-composed';
  const backend = composed || noiseComposed ? 'native' : name;
  // cpu needs about a minute per LeNet-5 step: a few steps are enough there.
  const [n, w] = backend === 'cpu' && model.startsWith('lenet5') ? [3, 1] : [steps, warmup];
  if (backend === 'torch' && model.includes('-')) return { note: 'no PyTorch reference of this step' };
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
          [
            fileURLToPath(import.meta.url),
            '--child',
            backend,
            model,
            String(n),
            String(w),
            ...(isa ? [isa] : []),
          ],
          {
            encoding: 'utf8',
            cwd: root,
            env: {
              ...process.env,
              ...(threads ? { SPARSEVD_NATIVE_THREADS: threads } : {}),
              ...(composed ? { SPARSEVD_FUSED: '0' } : {}),
              ...(noiseComposed ? { SPARSEVD_BENCH_NOISE_COMPOSED: '1' } : {}),
            },
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

// Multiply-adds of one step at batch 100, from the networks' shapes (@sparsevd/models' presets): every product
// of the SparseVD step — forward mean x·θ and variance x²·σ², backward ∂θ and ∂log σ², and ∂x through both
// (not for the first layer, whose input needs no gradient). A conv product's size is out_h·out_w·out_c·k_h·k_w·in_c.
const LAYERS = {
  lenet300: [784 * 300, 300 * 100, 100 * 10],
  lenet5: [24 * 24 * 20 * 25 * 1, 8 * 8 * 50 * 25 * 20, 800 * 500, 500 * 10],
};
const flopsPerStep = (model) =>
  2 * 100 * (LAYERS[model.split('-')[0]] ?? []).reduce((sum, macs, i) => sum + macs * (i === 0 ? 4 : 6), 0);

// sgemm's rate on a large square product, per thread count and native version, measured in this run.
const SGEMM_N = 1536;
const rates = new Map();
const rateFor = (threads, isa) => {
  const key = `${threads ?? 'default'}:${isa ?? ''}`;
  if (!rates.has(key)) {
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--sgemm', String(SGEMM_N), ...(isa ? [isa] : [])],
      {
        encoding: 'utf8',
        cwd: root,
        env: { ...process.env, ...(threads ? { SPARSEVD_NATIVE_THREADS: threads } : {}) },
      },
    );
    let gflops;
    try {
      gflops = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '').gflops;
    } catch {}
    rates.set(key, gflops);
    if (gflops !== undefined)
      process.stderr.write(
        `sgemm ${SGEMM_N}³ on ${threads ?? 'default'} thread(s): ${gflops.toFixed(1)} GFLOP/s\n`,
      );
  }
  return rates.get(key);
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
    // The floor is the step's FLOPs at sgemm's rate on the same threads (torch's threads: the addon's sgemm
    // on as many, a common yardstick for both).
    const [spec, isa] = config.split(':');
    const threads = spec.split('@')[1];
    const gflops = spec.startsWith('wasm') || spec.startsWith('cpu') ? undefined : rateFor(threads, isa);
    const floorMs = gflops === undefined ? undefined : flopsPerStep(model) / (gflops * 1e6);
    results.push({ config, model, ms, runs, note, floorMs, sgemmGflops: gflops });
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
const cpuModel = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `SparseVD train step, batch 100 (median of ${reps} runs × ${steps} steps after ${warmup} warm-up)\n` +
    `CPU: ${cpuModel}, ${cpus().length} logical cores; SIMD flags: ${simdFlags.join(' ') || 'none read'}\n` +
    `native: ${native.details.available ? native.details.details : native.details.reason}; versions this CPU runs: ${native.isas.join(', ') || 'none'}` +
    `${process.env.OPENBLAS_CORETYPE ? `; OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE}` : ''}\n` +
    `FLOP floor: ${models.map((m) => `${m} ${(flopsPerStep(m) / 1e6).toFixed(0)} MFLOP per step`).join(', ')}, at sgemm's ${SGEMM_N}³ rate on the same threads\n\n`,
);
process.stdout.write(
  '| model | config | ms per step | runs | vs PyTorch best | floor (ms) | vs floor |\n|---|---|---|---|---|---|---|\n',
);
for (const r of results) {
  const ratio =
    r.ms !== undefined && best[r.model] !== undefined ? `${(r.ms / best[r.model]).toFixed(2)}×` : '';
  const floor = r.floorMs === undefined ? '' : r.floorMs.toFixed(2);
  const vsFloor = r.ms !== undefined && r.floorMs !== undefined ? `${(r.ms / r.floorMs).toFixed(1)}×` : '';
  process.stdout.write(
    `| ${r.model} | ${r.config} | ${r.ms === undefined ? `— ${r.note}` : r.ms.toFixed(1)} | ${r.runs.map((x) => x.toFixed(1)).join(', ')} | ${ratio} | ${floor} | ${vsFloor} |\n`,
  );
}
const nativeRuns = results.filter((r) => r.config.startsWith('native') && r.ms !== undefined);
for (const model of models) {
  const byVersion = new Map();
  for (const r of nativeRuns.filter((x) => x.model === model)) {
    const isa = r.config.split(':')[1] ?? 'default';
    if (!byVersion.has(isa) || byVersion.get(isa).ms > r.ms) byVersion.set(isa, r);
  }
  for (const [isa, r] of byVersion)
    if (best[model] !== undefined)
      process.stdout.write(
        `${model}, native best thread count (${isa}): ${r.ms.toFixed(1)} ms = ${(r.ms / best[model]).toFixed(2)}× PyTorch's best (${best[model].toFixed(1)} ms)${r.floorMs ? `, ${(r.ms / r.floorMs).toFixed(1)}× its floor` : ''}\n`,
      );
}
mkdirSync(join(root, 'bench-out'), { recursive: true });
writeFileSync(
  join(root, 'bench-out', 'train-step.json'),
  `${JSON.stringify({ cpu: cpuModel, simdFlags, native, steps, warmup, reps, results }, null, 2)}\n`,
);
