// The layer protocol: two layer kinds defined here, in test code only — a leaky ReLU and a SparseVD dense layer
// whose outputs are scaled by a constant — go through reports, structured compaction, sparse export, the file
// format and sparse inference with no edit in @sparsevd/pruning: each describes itself through `freeze`.
import { dense, disposeParams, type Layer, type Params, sequential } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compact,
  parseSparse,
  serializeSparse,
  sparseModel,
  sparsityReport,
  toSparse,
} from '../src/index.js';
import { useBackend } from './backends.js';

const leaky = (alpha: number) => (v: number) => (v > 0 ? v : alpha * v);

/** max(x, 0) + alpha · min(x, 0), element-wise: a layer kind pruning has never heard of. */
const leakyRelu = (alpha: number, name: string): Layer => ({
  kind: 'test-leaky-relu',
  name,
  config: { alpha },
  init: () => ({}),
  apply: (_p, x) => tf.tidy(() => tf.leakyRelu(x, alpha)),
  kl: () => tf.scalar(0),
  logAlpha: () => undefined,
  sparseWeights: () => [],
  outputShape: (s) => s,
  weightCount: () => 0,
  freeze: (_p, { name: at }) => [
    {
      form: 'unitwise',
      name: at,
      op: 'test-leaky-relu',
      config: { alpha },
      fn: leaky(alpha),
      layer: () => leakyRelu(alpha, at),
    },
  ],
});

/** A SparseVD dense layer whose outputs are multiplied by `scale`: its frozen form is a scaled dense op. */
const scaledDense = (units: number, scale: number, name: string): Layer => {
  const base = dense({ units, name }) as unknown as Layer;
  return {
    ...base,
    kind: 'test-scaled-dense',
    apply: (p, x, mode, noise, options) =>
      tf.tidy(() => tf.mul(base.apply(p, x, mode, noise, options), scale)),
    freeze: (p, options) =>
      (base.freeze?.(p, options) ?? []).map((op) => {
        if (op.form !== 'dense') return op;
        const scaled = { ...op, weights: tf.mul(op.weights, scale), bias: tf.mul(op.bias, scale) };
        tf.dispose([op.weights, op.bias]);
        return scaled;
      }),
  };
};

const FUNCTIONS = { 'test-leaky-relu': (c: Readonly<Record<string, unknown>>) => leaky(Number(c.alpha)) };

describe('a layer kind defined outside the project', () => {
  beforeAll(() => useBackend('cpu'));

  const network = sequential([
    scaledDense(12, 2, 'a'),
    leakyRelu(0.1, 'act'),
    dense({ units: 3, name: 'b' }),
  ]);
  let params: Params;
  let x: tf.Tensor;
  let expected: number[];
  beforeAll(() => {
    params = network.init(3, { inputShape: [6] });
    const a = params.a as Params;
    // Units 0–3 of `a` lose every incoming weight (log σ² = 8 makes log α ≥ 3): each outputs the constant of
    // its (negative) bias, through the leaky ReLU — which compaction must fold into `b`'s bias.
    const logSigma2 = tf.tidy(() => tf.concat([tf.fill([6, 4], 8), tf.fill([6, 8], -10)], 1));
    (a.logSigma2 as tf.Variable).assign(logSigma2);
    (a.bias as tf.Variable).assign(tf.linspace(-1.5, 0.7, 12));
    // Every weight of `b` kept (log σ² = −20: log α < 3 unless |θ| < 1e-5).
    ((params.b as Params).logSigma2 as tf.Variable).assign(tf.fill([12, 3], -20));
    logSigma2.dispose();
    x = tf.randomUniform([5, 6], -1, 1, 'float32', 4);
    expected = Array.from(network.apply(params, x, 'eval').dataSync());
  });

  it('reports its sparsity', () => {
    const report = sparsityReport(network, params);
    expect(report.layers.map((l) => [l.name, l.weights, l.kept])).toEqual([
      ['a', 72, 48],
      ['b', 36, 36],
    ]);
  });

  it('compacts: the dead units go, their constant folded through the leaky ReLU, outputs unchanged', () => {
    const small = compact(network, params, [6]);
    expect(small.units.map((u) => [u.name, u.before, u.after])).toEqual([
      ['a', 12, 8],
      ['b', 3, 3],
    ]);
    expect(small.network.layers.map((l) => l.kind)).toEqual(['dense', 'test-leaky-relu', 'dense']);
    const got = Array.from(small.network.apply(small.params, x, 'eval').dataSync());
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 5);
    });
    disposeParams(small.params);
  });

  it('exports, writes, reads (given its function) and runs sparsely with the same outputs', () => {
    const bytes = serializeSparse(toSparse(network, params, [6]));
    const unknown = parseSparse(bytes);
    expect(E.isLeft(unknown) && unknown.left.message).toMatch(
      /element-wise function "test-leaky-relu" is not known here; pass it to parseSparse/,
    );
    const read = parseSparse(bytes, '<bytes>', { unitwise: FUNCTIONS });
    if (E.isLeft(read)) throw new Error(read.left.message);
    const got = sparseModel(read.right).predict(x.dataSync() as Float32Array, 5);
    Array.from(got).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 5);
    });
  });
});
