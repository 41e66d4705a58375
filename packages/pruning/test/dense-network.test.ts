import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeParams } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compact,
  masks,
  parseSparse,
  serializeSparse,
  sparseModel,
  sparsityReport,
  thresholdSweep,
  toSparse,
} from '../src/index.js';
import { readSparseFile, writeSparseFile } from '../src/node/index.js';
import { BACKENDS, useBackend } from './backends.js';
import { evalOutputs, lenets, maxAbsDiff, mnistBatch, rng, setPattern } from './fixtures.js';

describe.each(BACKENDS)('a pruned LeNet-300-100 on the %s backend', (backend) => {
  const { network, inputShape } = lenets().lenet300100;
  let params: ReturnType<typeof network.init>;
  let x: tf.Tensor;
  const keeps: Record<string, boolean[]> = {};
  beforeAll(async () => {
    await useBackend(backend);
    params = network.init(1, { inputShape });
    const r = rng(7);
    // fc1: the 4-pixel border feeds nothing; 98 % of the rest pruned at random; hidden units 0–19 get no input.
    keeps.fc1 = setPattern(params, 'fc1', (i) => {
      const pixel = Math.floor(i / 300);
      const [row, col] = [Math.floor(pixel / 28), pixel % 28];
      return row < 4 || row >= 24 || col < 4 || col >= 24 || i % 300 < 20 || r() < 0.98;
    });
    // fc2: 90 % pruned; units 0–29 of fc1's output feed nothing (all outgoing weights pruned).
    keeps.fc2 = setPattern(params, 'fc2', (i) => Math.floor(i / 100) < 30 || r() < 0.9);
    keeps.fc3 = setPattern(params, 'fc3', () => r() < 0.5);
    // Non-zero biases, so dead units with no input carry a constant that compaction must fold.
    (params.fc1 as Record<string, tf.Variable>).bias?.assign(
      tf.randomUniform([300], -0.2, 0.5, 'float32', 3),
    );
    (params.fc2 as Record<string, tf.Variable>).bias?.assign(
      tf.randomUniform([100], -0.2, 0.5, 'float32', 4),
    );
    x = await mnistBatch(200, 'flat');
  });
  afterAll(() => {
    disposeParams(params);
    x.dispose();
  });

  it('masks and the sparsity report count exactly the pruned weights; compression = |W| / |W ≠ 0|', () => {
    const report = sparsityReport(network, params);
    const kept = (k: boolean[]) => k.filter(Boolean).length;
    expect(report.layers.map((l) => [l.name, l.weights, l.kept])).toEqual([
      ['fc1', 235_200, kept(keeps.fc1 as boolean[])],
      ['fc2', 30_000, kept(keeps.fc2 as boolean[])],
      ['fc3', 1_000, kept(keeps.fc3 as boolean[])],
    ]);
    expect(report.totalWeights).toBe(266_200);
    expect(report.compression).toBeCloseTo(266_200 / report.keptWeights, 10);
    expect(report.layers[0]?.removedPercent).toBeGreaterThan(98);
    for (const layer of report.layers)
      expect(layer.logAlpha.counts.reduce((a, b) => a + b, 0)).toBe(layer.weights);
    const [m1] = masks(network, params);
    expect(Array.from(m1?.mask.dataSync() ?? [])).toEqual((keeps.fc1 as boolean[]).map((k) => (k ? 1 : 0)));
    for (const m of masks(network, params)) m.mask.dispose();
  });

  it('compact removes dead neurons and unused pixels, and its outputs equal the eval-mode outputs on MNIST', () => {
    const reference = evalOutputs(network, params, x);
    const c = compact(network, params, inputShape);
    expect(c.units.map((u) => [u.name, u.before])).toEqual([
      ['fc1', 300],
      ['fc2', 100],
      ['fc3', 10],
    ]);
    // Units 0–19 (no input) and 20–29 (no output) of fc1 are gone at least; the border pixels are gone.
    expect(c.units[0]?.after).toBeLessThanOrEqual(270);
    expect(c.inputs.before).toBe(784);
    expect(c.inputs.after).toBeLessThanOrEqual(400);
    const out = evalOutputs(c.network, c.params, x);
    expect(maxAbsDiff(out, reference)).toBeLessThan(1e-5 * Math.max(1, ...Array.from(reference, Math.abs)));
    expect(c.network.layers[0]?.kind).toBe('dense'); // unused inputs kept as zero rows by default
    const selected = compact(network, params, inputShape, { inputs: 'select' });
    expect(selected.network.layers[0]?.kind).toBe('select-features');
    expect(selected.network.weightCount(inputShape)).toBeLessThan(c.network.weightCount(inputShape));
    expect(maxAbsDiff(evalOutputs(selected.network, selected.params, x), reference)).toBeLessThan(
      1e-5 * Math.max(1, ...Array.from(reference, Math.abs)),
    );
    disposeParams(c.params);
    disposeParams(selected.params);
  });

  it('exports CSR (with the byte compression) and sparse inference gives the eval-mode predictions', () => {
    const reference = evalOutputs(network, params, x);
    const exported = toSparse(network, params, inputShape);
    const report = sparsityReport(network, params);
    expect(exported.layers.map((l) => l.nonzeros)).toEqual(report.layers.map((l) => l.kept));
    expect(exported.byteCompression).toBeGreaterThan(10);
    const out = sparseModel(exported).predict(x.dataSync() as Float32Array, 200);
    expect(maxAbsDiff(out, reference)).toBeLessThan(1e-4);
    // 8-bit quantisation: smaller again, nearly the same outputs.
    const q = toSparse(network, params, inputShape, { quantize: 8 });
    expect(q.sparseBytes).toBeLessThan(exported.sparseBytes);
    const qOut = sparseModel(q).predict(x.dataSync() as Float32Array, 200);
    const argmax = (v: Float32Array, i: number) => {
      const row = Array.from(v.subarray(i * 10, i * 10 + 10));
      return row.indexOf(Math.max(...row));
    };
    const agree = Array.from({ length: 200 }, (_, i) => argmax(qOut, i) === argmax(reference, i)).filter(
      Boolean,
    ).length;
    expect(agree).toBeGreaterThanOrEqual(195);
  });

  it('round-trips through the file format; a truncated or corrupted file is a clear error', async () => {
    const exported = toSparse(network, params, inputShape, { quantize: 8 });
    const bytes = serializeSparse(exported);
    const parsed = parseSparse(bytes);
    expect(E.isRight(parsed)).toBe(true);
    if (E.isRight(parsed)) {
      const a = sparseModel(exported).predict(x.dataSync() as Float32Array, 200);
      const b = sparseModel(parsed.right).predict(x.dataSync() as Float32Array, 200);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
    const problem = (b: Uint8Array) => {
      const r = parseSparse(b, 'model.spvd');
      return E.isLeft(r) ? `${r.left.problem}: ${r.left.message}` : 'ok';
    };
    expect(problem(bytes.subarray(0, bytes.length - 10))).toMatch(
      /^ChecksumMismatch: model\.spvd: .*truncated or corrupted/,
    );
    expect(problem(bytes.subarray(0, 12))).toMatch(/^Truncated: .*shorter than the 20-byte preamble/);
    expect(problem(bytes.subarray(0, 30))).toMatch(/^Truncated: .*header of \d+ bytes runs past the end/);
    const flipped = bytes.slice();
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0xff;
    expect(problem(flipped)).toMatch(/^ChecksumMismatch: .*corrupted/);
    const magic = bytes.slice();
    magic[0] = 0x41;
    expect(problem(magic)).toMatch(/^BadMagic/);
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(8, 9, true);
    expect(problem(version)).toMatch(/^UnsupportedVersion: .*format version 9/);
    const header = bytes.slice();
    header[24] = 0x7b; // inside the header: caught by the checksum, which covers header and blob
    expect(problem(header)).toMatch(/^ChecksumMismatch/);

    const dir = mkdtempSync(join(tmpdir(), 'sparse-'));
    const path = join(dir, 'lenet.spvd');
    const written = await writeSparseFile(path, exported)();
    expect(E.isRight(written) && written.right).toBe(bytes.length);
    expect(readdirSync(dir)).toEqual(['lenet.spvd']); // no temporary file left behind
    const read = await readSparseFile(path)();
    expect(E.isRight(read)).toBe(true);
    const missing = await readSparseFile(join(dir, 'nope.spvd'))();
    expect(E.isLeft(missing) && missing.left.message).toMatch(/nope\.spvd: cannot read/);
    expect(existsSync(path)).toBe(true);
  });

  it('thresholdSweep: compression grows as the threshold falls; evaluate sees the pruned parameters', async () => {
    const reference = evalOutputs(network, params, x);
    const points = await thresholdSweep(
      network,
      params,
      (pruned) => {
        const out = evalOutputs(network, pruned, x, 'mean');
        return maxAbsDiff(out, reference);
      },
      [3, 0, -7],
    );
    expect(points[0]?.error).toBeLessThan(1e-5); // at the layers' own threshold: the eval network
    expect(points[0]?.compression).toBeCloseTo(sparsityReport(network, params).compression as number, 6);
    expect(points[2]?.compression).toBeNull(); // log α = −6 < −7 is false: all pruned
    expect(points[2]?.error).toBeGreaterThan(0);
  });
});
