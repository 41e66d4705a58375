import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeParams, NonFiniteParameterError, nonFiniteTensors } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  compact,
  finiteJson,
  formatCompression,
  masks,
  serializeSparse,
  sparsityReport,
  thresholdSweep,
  toSparse,
} from '../src/index.js';
import { writeSparseFile } from '../src/node/index.js';
import { useBackend } from './backends.js';
import { lenets } from './fixtures.js';

const { network, inputShape } = lenets().lenet300100;
let params: ReturnType<typeof network.init>;
const variable = (layer: string, tensor: string) =>
  (params[layer] as Record<string, tf.Variable>)[tensor] as tf.Variable;
/** Writes `value` into one element of a parameter tensor. */
const poison = (layer: string, tensor: string, index: number, value: number) => {
  const v = variable(layer, tensor);
  const values = v.dataSync().slice();
  values[index] = value;
  v.assign(tf.tensor(values, v.shape));
};

beforeAll(async () => {
  await useBackend('cpu');
});
afterEach(() => disposeParams(params));

describe('non-finite parameters are refused by every pruning entry point', () => {
  const entryPoints: Array<[string, () => unknown]> = [
    ['masks', () => masks(network, params)],
    ['sparsityReport', () => sparsityReport(network, params)],
    ['compact', () => compact(network, params, inputShape)],
    ['toSparse', () => toSparse(network, params, inputShape)],
  ];
  it.each([
    ['fc2', 'theta', Number.NaN],
    ['fc1', 'logSigma2', Number.POSITIVE_INFINITY],
    ['fc3', 'bias', Number.NEGATIVE_INFINITY],
  ])('%s/%s holding %s', (layer, tensor, value) => {
    params = network.init(1, { inputShape });
    poison(layer, tensor, 7, value);
    expect(nonFiniteTensors(params)).toEqual([
      { layer, tensor, count: 1, size: variable(layer, tensor).size },
    ]);
    const before = tf.memory().numTensors;
    for (const [fn, call] of entryPoints) {
      let thrown: unknown;
      try {
        call();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, fn).toBeInstanceOf(NonFiniteParameterError);
      const error = thrown as NonFiniteParameterError;
      expect([error.layer, error.tensor], fn).toEqual([layer, tensor]);
      expect(error.message).toMatch(
        new RegExp(`^${fn}: layer "${layer}", tensor "${tensor}" holds 1 non-finite`),
      );
    }
    expect(tf.memory().numTensors).toBe(before); // nothing leaked on the way out
  });

  it('thresholdSweep refuses them before evaluating anything', async () => {
    params = network.init(1, { inputShape });
    poison('fc1', 'theta', 0, Number.NaN);
    let evaluated = 0;
    await expect(thresholdSweep(network, params, () => (evaluated += 1), [1, 3, 5])).rejects.toBeInstanceOf(
      NonFiniteParameterError,
    );
    expect(evaluated).toBe(0);
  });

  it('the file writer returns a Left and writes nothing for a network holding NaN', async () => {
    params = network.init(1, { inputShape });
    const exported = toSparse(network, params, inputShape);
    const ops = exported.ops.map((op) =>
      op.kind === 'dense' && op.name === 'fc2'
        ? { ...op, bias: Float32Array.from(op.bias, (b, i) => (i === 4 ? Number.NaN : b)) }
        : op,
    );
    expect(() => serializeSparse({ ...exported, ops })).toThrow(/layer "fc2", bias holds NaN at index 4/);
    const dir = mkdtempSync(join(tmpdir(), 'sparsevd-nan-'));
    const written = await writeSparseFile(join(dir, 'model.spvd'), { ...exported, ops })();
    expect(E.isLeft(written) && written.left.message).toMatch(/model\.spvd: not written: .*NaN/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('every weight removed is a legitimate result, not an error', () => {
  it('the report says so, with a null compression that JSON keeps as it is', () => {
    params = network.init(1, { inputShape });
    for (const layer of ['fc1', 'fc2', 'fc3']) {
      const v = variable(layer, 'logSigma2');
      v.assign(tf.fill(v.shape, 5)); // log α = 5 − log(θ² + 1e-8) ≫ 3 everywhere
    }
    const report = sparsityReport(network, params);
    expect(report.keptWeights).toBe(0);
    expect(report.allRemoved).toBe(true);
    expect(report.compression).toBeNull();
    expect(formatCompression(report.compression)).toBe('all weights removed');
    expect(JSON.parse(finiteJson(report)).compression).toBeNull();
    const kept = sparsityReport(network, params, { threshold: 100 });
    expect([kept.allRemoved, kept.compression]).toEqual([false, 1]);
  });

  it('finiteJson refuses NaN and ±∞ anywhere instead of writing null', () => {
    expect(finiteJson({ a: [1, { b: 2 }] })).toBe('{"a":[1,{"b":2}]}');
    expect(() => finiteJson({ metrics: [{ testLoss: Number.NaN }] })).toThrow(/"testLoss" is NaN/);
    expect(() => finiteJson({ compression: Number.POSITIVE_INFINITY })).toThrow(/"compression" is Infinity/);
  });
});

describe('toSparse and compact check the input shape against the first layer', () => {
  it.each([
    [[28, 28, 2], /inputShape \[28, 28, 2\] has 1568 values; layer "fc1" takes 784 inputs/],
    [[0, 784], /inputShape must be positive integer sizes, got \[0, 784\]/],
    [[], /inputShape must be positive integer sizes, got \[\]/],
  ])('%j', (shape, message) => {
    params = network.init(1, { inputShape });
    expect(() => toSparse(network, params, shape)).toThrow(message);
    expect(() => compact(network, params, shape)).toThrow(message);
  });
});
