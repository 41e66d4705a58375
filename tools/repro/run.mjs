#!/usr/bin/env node
// Runs the reproduction's experiments, each resumable: `node tools/repro/run.mjs NAME… | --all | --list`.
//
// A run trains with `sparsevd train` into .repro/NAME (ignored by git; the checkpoint lives there), or resumes
// it from its checkpoint when one is there, so a 200-epoch run spans sessions. When it ends — finished, or
// stopped by SIGINT/SIGTERM, which the CLI turns into a checkpoint — its small outputs (config.json,
// metrics.jsonl, report.json, the SVGs; for a finished SparseVD run the threshold sweep) are copied to
// docs/results/runs/NAME/, never the checkpoint. A magnitude run also gets one-shot.json: its dense run pruned
// once to the same sparsity, without fine-tuning. `--publish NAME…` copies what a run has so far without
// running it. `node tools/repro/report.mjs` then regenerates docs/results.md from the committed runs.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { oneShotMagnitude } from './one-shot.mjs';
import {
  commandLine,
  loadSpecs,
  publishedSparsity,
  RESULTS_DIR,
  ROOT,
  targetEpochs,
  trainFlags,
  WORK_DIR,
} from './specs.mjs';
import { sweepRun } from './sweep.mjs';

const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const PUBLISHED = [
  'config.json',
  'metrics.jsonl',
  'report.json',
  'training.svg',
  'log-alpha.svg',
  'first-layer-inputs.svg',
];

const { values, positionals } = parseArgs({
  options: {
    all: { type: 'boolean' },
    list: { type: 'boolean' },
    publish: { type: 'boolean' },
    backend: { type: 'string', default: 'auto' },
  },
  allowPositionals: true,
});

const specs = loadSpecs();
const usage = `usage: node tools/repro/run.mjs NAME… | --all | --list  [--backend auto|native|wasm|cpu|…]
       node tools/repro/run.mjs --publish NAME…   copy a run's outputs so far to docs/results/runs/NAME
runs (tools/repro/runs/*.json): ${[...specs.keys()].join(', ')}`;

const readLines = (path) =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
    : [];

/** Where a run stands in .repro: finished, stopped after some epochs, or not started. */
const state = (name) => {
  const dir = join(WORK_DIR, name);
  if (existsSync(join(dir, 'report.json'))) return { kind: 'finished', dir };
  if (existsSync(join(dir, 'checkpoint.ckpt')))
    return { kind: 'stopped', dir, epochs: readLines(join(dir, 'metrics.jsonl')).length };
  return { kind: 'new', dir };
};

/** Copies a run's small outputs to docs/results/runs/NAME, with run.json: its configuration and status. */
const publish = async (name, backend) => {
  const spec = specs.get(name);
  const now = state(name);
  if (now.kind === 'new') throw new Error(`${name}: nothing to publish; start it with: ${commandLine(name)}`);
  const out = join(RESULTS_DIR, name);
  mkdirSync(out, { recursive: true });
  for (const file of PUBLISHED) {
    const from = join(now.dir, file);
    if (existsSync(from)) copyFileSync(from, join(out, file));
    else rmSync(join(out, file), { force: true });
  }
  const epochs = readLines(join(now.dir, 'metrics.jsonl')).length;
  const target = targetEpochs(spec);
  if (
    now.kind === 'finished' &&
    spec.method === 'sparsevd' &&
    !existsSync(join(out, 'threshold-sweep.json'))
  ) {
    process.stderr.write(`repro: ${name}: threshold sweep 1 … 5\n`);
    const sweep = await sweepRun(join(now.dir, 'checkpoint.ckpt'), backend);
    writeFileSync(join(out, 'threshold-sweep.json'), `${JSON.stringify(sweep, null, 2)}\n`);
  }
  // A magnitude run's "without fine-tuning" twin: the finished dense run pruned once to the same sparsity.
  if (spec.method === 'magnitude' && !existsSync(join(out, 'one-shot.json'))) {
    const dense = state(spec.denseRun);
    if (dense.kind === 'finished') {
      process.stderr.write(`repro: ${name}: one-shot magnitude pruning of ${spec.denseRun}\n`);
      const fractions = publishedSparsity(spec.sparsityOf).map(Number);
      const result = await oneShotMagnitude(join(dense.dir, 'checkpoint.ckpt'), fractions, backend);
      writeFileSync(
        join(out, 'one-shot.json'),
        `${JSON.stringify({ ...result, dense: spec.denseRun, sparsityOf: spec.sparsityOf }, null, 2)}\n`,
      );
    } else {
      process.stderr.write(
        `repro: ${name}: no one-shot row yet: ${spec.denseRun} has not finished here (${commandLine(spec.denseRun)})\n`,
      );
    }
  }
  writeFileSync(
    join(out, 'run.json'),
    `${JSON.stringify(
      {
        name,
        spec,
        command: `sparsevd train ${trainFlags(spec).join(' ')}`,
        status: now.kind === 'finished' ? 'finished' : 'unfinished',
        epochs,
        of: target,
        resume: commandLine(name),
      },
      null,
      2,
    )}\n`,
  );
  process.stderr.write(`repro: ${name}: ${now.kind}, ${epochs}/${target} epochs → ${out}\n`);
};

let stopping = false;
let child;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    // The CLI saves a checkpoint at its next step on SIGINT, whichever signal stopped us.
    if (child !== undefined && child.exitCode === null) child.kill('SIGINT');
  });
}

/** Trains or resumes one run; resolves to the CLI's exit code. */
const runOne = (name, backend) => {
  const now = state(name);
  if (now.kind === 'finished') return Promise.resolve(0);
  if (now.kind === 'new') rmSync(now.dir, { recursive: true, force: true }); // died before its first checkpoint
  mkdirSync(WORK_DIR, { recursive: true });
  const spec = specs.get(name);
  if (now.kind === 'new' && spec.initFrom !== undefined && state(spec.initFrom).kind !== 'finished') {
    process.stderr.write(
      `repro: ${name} starts from ${spec.initFrom}, which has not finished here; run it first: ${commandLine(spec.initFrom)}\n`,
    );
    return Promise.resolve(2);
  }
  const args =
    now.kind === 'stopped'
      ? ['resume', now.dir, '--backend', backend]
      : ['train', ...trainFlags(spec), '--out', now.dir, '--backend', backend];
  process.stderr.write(
    `repro: ${name}: ${now.kind === 'stopped' ? `resuming after epoch ${now.epochs}` : 'starting'} — sparsevd ${args.join(' ')}\n`,
  );
  return new Promise((resolve) => {
    child = spawn(process.execPath, [CLI, ...args], { stdio: 'inherit', cwd: ROOT });
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
};

const names = values.all ? [...specs.keys()] : positionals;
if (values.list) {
  for (const name of specs.keys()) {
    const now = state(name);
    const published = existsSync(join(RESULTS_DIR, name, 'run.json'))
      ? JSON.parse(readFileSync(join(RESULTS_DIR, name, 'run.json'), 'utf8'))
      : undefined;
    const here = now.kind === 'stopped' ? `stopped after epoch ${now.epochs}` : now.kind;
    const committed =
      published === undefined
        ? 'not committed'
        : `committed: ${published.status}, ${published.epochs}/${published.of}`;
    process.stdout.write(`${name.padEnd(40)} here: ${here.padEnd(26)} ${committed}\n`);
  }
  process.exit(0);
}
if (names.length === 0) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const unknown = names.filter((n) => !specs.has(n));
if (unknown.length > 0) {
  process.stderr.write(`repro: no such run: ${unknown.join(', ')}\n${usage}\n`);
  process.exit(2);
}
for (const name of names) {
  if (values.publish) {
    await publish(name, values.backend);
    continue;
  }
  const code = await runOne(name, values.backend);
  if (state(name).kind !== 'new') await publish(name, values.backend);
  if (code !== 0 || stopping) {
    process.stderr.write(
      code === 130 || stopping
        ? `repro: stopped; continue with: ${commandLine(name)}\n`
        : `repro: ${name} failed (exit ${code})\n`,
    );
    process.exit(code === 0 ? 130 : code);
  }
}
