// The reproduction's plumbing: run configurations, the commands they become, and docs/results.md generated
// from committed runs (fresh against the repository, and right on a synthetic set of runs).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand } from '@sparsevd/cli';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM tool modules without types
import { buildResults, machinesOf } from '../repro/results.mjs';
// @ts-expect-error plain ESM tool modules without types
import {
  loadSpecs,
  publishedSparsity,
  ROOT,
  specProblems,
  targetEpochs,
  trainFlags,
} from '../repro/specs.mjs';

type Spec = Record<string, unknown>;

describe('run configurations', () => {
  const specs: Map<string, Spec> = loadSpecs();

  it('every committed configuration becomes a train command the CLI accepts, with the configuration it names', () => {
    expect(specs.size).toBeGreaterThanOrEqual(10);
    for (const [name, spec] of specs) {
      if (spec.method === 'magnitude') {
        let fractions: string[];
        try {
          fractions = publishedSparsity(spec.sparsityOf);
        } catch (error) {
          // Its SparseVD run is not committed yet: the command cannot be written, and says which run to do first.
          expect((error as Error).message).toContain(
            `run it first: node tools/repro/run.mjs ${spec.sparsityOf}`,
          );
          expect(() => trainFlags(spec)).toThrow(/run it first/);
          continue;
        }
        const parsed = parseCommand(['train', ...trainFlags(spec)]);
        expect(
          parsed._tag === 'Right' && parsed.right.name === 'train' && parsed.right.config,
          name,
        ).toMatchObject({
          dense: true,
          model: spec.model,
          seed: spec.seed,
          magnitude: { sparsity: fractions.map(Number), startEpoch: 20, endEpoch: 100 },
        });
        continue;
      }
      const parsed = parseCommand(['train', ...trainFlags(spec)]);
      expect(parsed._tag, name).toBe('Right');
      if (parsed._tag !== 'Right' || parsed.right.name !== 'train') continue;
      const { config } = parsed.right;
      expect(config.model, name).toBe(spec.model);
      expect(config.dataset, name).toBe(spec.dataset);
      expect(config.dense, name).toBe(spec.method === 'dense');
      expect(config.method ?? 'sparsevd', name).toBe(spec.method === 'dense' ? 'sparsevd' : spec.method);
      expect(config.seed, name).toBe(spec.seed);
      expect(config.epochs, name).toBe(spec.epochs ?? (spec.protocol === 'paper' ? 200 : 20));
      expect(config.randomLabels, name).toBe(spec.randomLabels === true);
      expect(config.trainSubset, name).toBe(spec.trainSubset);
      if (spec.pretrainRegularizer !== undefined)
        expect(config.pretrainRegularizer, name).toBe(spec.pretrainRegularizer);
      // A run that starts from another one takes its weights from that run's directory, and pretrains no more.
      expect(config.initFrom, name).toBe(
        spec.initFrom === undefined ? undefined : join('.repro', spec.initFrom as string),
      );
      if (spec.initFrom !== undefined) expect(config.pretrainEpochs, name).toBe(0);
    }
  });

  it("counts the epochs a finished run holds: the SBP paper protocol's pretraining, unless it starts from a run", () => {
    const sbp = { model: 'lenet5', dataset: 'mnist', method: 'sbp+sparsevd', protocol: 'paper', seed: 1 };
    expect(targetEpochs(sbp)).toBe(400);
    expect(targetEpochs({ ...sbp, initFrom: 'lenet5-mnist-dense-s1' })).toBe(200);
    expect(targetEpochs({ ...sbp, method: 'sparsevd' })).toBe(200);
    expect(targetEpochs({ ...sbp, protocol: 'default' })).toBe(20);
    expect(targetEpochs({ ...sbp, protocol: 'default', epochs: 50 })).toBe(50);
  });

  it('refuses an initFrom that names no run, or that a method cannot use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'specs-'));
    try {
      const spec = { model: 'lenet5', dataset: 'mnist', method: 'sbp', protocol: 'paper', seed: 1 };
      writeFileSync(join(dir, 'a.json'), JSON.stringify({ ...spec, method: 'dense' }));
      writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...spec, initFrom: 'a' }));
      expect(loadSpecs(dir).get('b')?.initFrom).toBe('a');
      writeFileSync(join(dir, 'c.json'), JSON.stringify({ ...spec, initFrom: 'z' }));
      expect(() => loadSpecs(dir)).toThrow(/c\.json: initFrom: no run named z/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const ok = {
      model: 'lenet5',
      dataset: 'mnist',
      method: 'sbp',
      protocol: 'paper',
      seed: 1,
      initFrom: 'd',
    };
    expect(specProblems('a', ok)).toEqual([]);
    expect(specProblems('a', { ...ok, initFrom: 'a' })).toEqual([
      'a.json: initFrom: must name another run (its file\'s name, without .json), got "a"',
    ]);
    expect(specProblems('a', { ...ok, method: 'dense' })).toEqual([
      'a.json: initFrom: only a sparsevd, sbp or sbp+sparsevd run starts from another run, not dense',
    ]);
    expect(specProblems('a', { ...ok, pretrainRegularizer: 'none' })).toEqual([
      'a.json: initFrom: replaces the pretraining; drop pretrainRegularizer',
    ]);
  });

  it('names the file and the field of a configuration that cannot run', () => {
    const ok = { model: 'lenet5', dataset: 'mnist', method: 'sparsevd', protocol: 'paper', seed: 1 };
    expect(specProblems('a', ok)).toEqual([]);
    expect(specProblems('a', { ...ok, model: 'lenet7' })).toEqual([
      'a.json: model: expected one of lenet300, lenet5, vgg, got lenet7',
    ]);
    expect(specProblems('a', { ...ok, epochs: 0 })).toEqual([
      'a.json: epochs: must be a positive integer, got 0',
    ]);
    expect(specProblems('a', { ...ok, seeds: 3 })).toEqual(['a.json: seeds: unknown field']);
    expect(specProblems('a', { ...ok, pretrainRegularizer: 'l1' })).toEqual([
      'a.json: pretrainRegularizer: expected dropout+l2 or none, got l1',
    ]);
    expect(specProblems('a', [])).toEqual(['a.json: not an object']);
    expect(specProblems('a', { ...ok, method: 'magnitude', sparsityOf: 'b' })).toEqual([
      'a.json: denseRun: a magnitude run names the run it is compared with',
    ]);
    expect(specProblems('a', { ...ok, denseRun: 'b' })).toEqual([
      'a.json: denseRun: only a magnitude run takes it',
    ]);
  });
});

describe('docs/results.md', () => {
  it('is what the committed runs generate (run `node tools/repro/report.mjs` after committing a run)', async () => {
    const { markdown, figures } = await buildResults();
    expect(readFileSync(join(ROOT, 'docs', 'results.md'), 'utf8')).toBe(markdown);
    for (const [name, svg] of Object.entries(figures as Record<string, string>))
      expect(readFileSync(join(ROOT, 'docs', 'results', 'figures', name), 'utf8'), name).toBe(svg);
  });

  const dir = mkdtempSync(join(tmpdir(), 'repro-runs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const machine = 'CPU A (AVX2, 2 CPUs) · native';
  const epoch = (e: number, over: Record<string, unknown>) => ({
    epoch: e,
    phase: 'sparsevd',
    trainLoss: 1,
    dataTerm: 1,
    kl: 0,
    klWeight: 1,
    lr: 1e-3,
    testError: 0.02,
    testLoss: 0.1,
    compression: 10,
    layers: [
      { name: 'fc1', removedPercent: 90 },
      { name: 'fc2', removedPercent: 50 },
    ],
    seconds: 60,
    examplesPerSecond: 1000,
    machine,
    ...over,
  });
  const commit = (name: string, status: string, metrics: object[], of = metrics.length) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(
      join(dir, name, 'run.json'),
      JSON.stringify({
        name,
        status,
        epochs: metrics.length,
        of,
        resume: `node tools/repro/run.mjs ${name}`,
      }),
    );
    writeFileSync(join(dir, name, 'metrics.jsonl'), metrics.map((m) => `${JSON.stringify(m)}\n`).join(''));
  };

  it('fills Table 1 with each seed, their mean ± sd over finished runs, and marks what is unfinished or not run', async () => {
    commit('lenet300-mnist-sparsevd-s1', 'finished', [epoch(1, { testError: 0.019, compression: 100 })]);
    commit('lenet300-mnist-sparsevd-s2', 'finished', [epoch(1, { testError: 0.021, compression: 120 })]);
    commit(
      'lenet300-mnist-sparsevd-s3',
      'unfinished',
      [epoch(1, { testError: 0.5, machine: 'CPU B · wasm' })],
      200,
    );
    const { markdown } = await buildResults({ dir });
    const line = (start: string) => markdown.split('\n').find((l: string) => l.startsWith(start)) ?? '';
    expect(line('| LeNet-300-100 | SparseVD, seed 1 |')).toContain(
      '| 1.90 % | 98.9 – 97.2 – 62.0 | 90.0 – 50.0 | 68× | 100× |',
    );
    expect(line('| LeNet-300-100 | SparseVD, mean ± sd |')).toContain('| 2.00 ± 0.14 % |');
    expect(line('| LeNet-300-100 | SparseVD, mean ± sd |')).toContain(
      '| 110 ± 14× | 2 of 3 seeds finished |',
    );
    expect(line('| LeNet-300-100 | SparseVD, seed 3 |')).toContain('**unfinished: 1 of 200 epochs**');
    expect(line('| LeNet-300-100 | dense |')).toContain(
      'not run yet: `node tools/repro/run.mjs lenet300-mnist-dense-s1`',
    );
    expect(markdown).toContain(`- **M1**: ${machine}`);
    expect(markdown).toContain('- **M2**: CPU B · wasm');
  });

  it('finds the epoch a random-label run lost its last weight, and draws both runs', async () => {
    commit('lenet300-mnist-random-sparsevd-s1', 'finished', [
      epoch(1, { trainError: 0.88, compression: 3 }),
      epoch(2, { trainError: 0.9, compression: null, testError: 0.8865 }),
      epoch(3, { trainError: 0.9, compression: 50_000, testError: 0.8865 }), // a weight back for an epoch
      epoch(4, { trainError: 0.9, compression: null, testError: 0.8865 }),
    ]);
    commit('lenet300-mnist-random-dense-s1', 'finished', [
      epoch(1, { phase: 'dense', trainError: 0.8, compression: 1, layers: [] }),
      epoch(2, { phase: 'dense', trainError: 0.1, compression: 1, layers: [] }),
    ]);
    const { markdown, figures } = await buildResults({ dir });
    const line = (start: string) => markdown.split('\n').find((l: string) => l.startsWith(start)) ?? '';
    expect(line('| SparseVD | 10.00 % | 88.65 % |')).toMatch(
      /\| 2; for good from 4 \| lenet300-mnist-random-sparsevd-s1 \|/,
    );
    expect(line('| dense | 90.00 % |')).toContain('lenet300-mnist-random-dense-s1');
    expect(figures['random-labels.svg']).toMatch(/^<svg/);
  });

  it('puts magnitude pruning beside the SparseVD run whose sparsity it matches, with and without fine-tuning', async () => {
    commit('lenet300-mnist-magnitude-s1', 'finished', [
      epoch(1, { phase: 'dense', testError: 0.025, compression: 10 }),
    ]);
    writeFileSync(
      join(dir, 'lenet300-mnist-magnitude-s1', 'one-shot.json'),
      JSON.stringify({ testError: 0.3, compression: 10, layers: [{ name: 'fc1', removedPercent: 90 }] }),
    );
    const { markdown } = await buildResults({ dir });
    const section = markdown.slice(markdown.indexOf('## 9.'), markdown.indexOf('## How to reproduce'));
    const line = (start: string) => section.split('\n').find((l: string) => l.startsWith(start)) ?? '';
    expect(line('| LeNet-300-100 | SparseVD (the sparsity matched) |')).toContain(
      '| 1.90 % | 90.0 – 50.0 | 100× |',
    );
    expect(line('| LeNet-300-100 | magnitude, no fine-tuning |')).toContain(
      '| 30.00 % | 90.0 | 10.0× | lenet300-mnist-dense-s1 pruned once |',
    );
    expect(line('| LeNet-300-100 | magnitude, gradual + fine-tuning (200 epochs) |')).toContain(
      '| 2.50 % | 90.0 – 50.0 | 10.0× | lenet300-mnist-magnitude-s1 |',
    );
    expect(line('| LeNet-5-Caffe | magnitude, no fine-tuning |')).toContain('not computed yet');
  });

  it('names each machine a resumed run used, with its epochs', () => {
    const run = {
      metrics: [epoch(1, {}), epoch(2, {}), epoch(3, { machine: 'CPU B · wasm' })],
      config: { backend: 'native' },
    };
    expect(machinesOf(run)).toEqual([`${machine} (epochs 1–2)`, 'CPU B · wasm (epochs 3–3)']);
  });
});
