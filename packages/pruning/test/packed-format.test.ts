import { disposeParams, type Params } from '@sparsevd/layers';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codebookOf,
  compact,
  PACKED_FORMAT_VERSION,
  packSparse,
  parseSparse,
  serializeSparse,
  sparseModel,
  toSparse,
} from '../src/index.js';
import { crc32 } from '../src/internal/crc32.js';
import { useBackend } from './backends.js';
import { lenets, maxAbsDiff, mnistBatch, rng, setPattern } from './fixtures.js';

const { network, inputShape } = lenets().lenet5;
let params: Params;
let exported: ReturnType<typeof toSparse>;
let x: Float32Array;
beforeAll(async () => {
  await useBackend('cpu');
  params = network.init(4, { inputShape });
  const r = rng(9);
  for (const w of network.sparseWeights(params))
    setPattern(params, w.name.split('/')[0] as string, () => r() < 0.95);
  const c = compact(network, params, inputShape);
  exported = toSparse(c.network, c.params, c.inputShape);
  disposeParams(c.params);
  const batch = await mnistBatch(20, 'nhwc');
  x = batch.dataSync() as Float32Array;
  batch.dispose();
});
afterAll(() => disposeParams(params));

const weightOps = (n: { ops: ReadonlyArray<{ kind: string }> }) =>
  n.ops.filter(
    (o): o is Extract<(typeof exported.ops)[number], { kind: 'dense' | 'conv' }> =>
      o.kind === 'dense' || o.kind === 'conv',
  );

describe('the packed sparse format (version 2)', () => {
  it.each([
    ...[1, 2, 3, 4, 5, 6, 8, 12, 16].map((bits) => ['kmeans', bits] as const),
    ...[1, 4, 8, 16].map((bits) => ['uniform', bits] as const),
  ])(
    'round-trips %s codebooks at %i bits: the same structure, every value a codebook entry',
    (codebook, bits) => {
      const bytes = packSparse(exported, { bits, codebook });
      const read = parseSparse(bytes, 'x.spvd');
      if (E.isLeft(read)) throw new Error(read.left.message);
      const a = weightOps(exported);
      const b = weightOps(read.right);
      expect(b.map((o) => o.name)).toEqual(a.map((o) => o.name));
      a.forEach((op, i) => {
        const got = b[i] as typeof op;
        expect(Array.from(got.weights.rowPtr)).toEqual(Array.from(op.weights.rowPtr));
        expect(Array.from(got.weights.colIndices)).toEqual(Array.from(op.weights.colIndices));
        const values = op.weights.values as Float32Array;
        const book = codebookOf(values, bits, codebook);
        expect(book.length).toBeLessThanOrEqual(2 ** bits);
        const set = new Set(book);
        expect((got.weights.values as Float32Array).every((v) => set.has(v))).toBe(true);
        // Each value is its nearest codebook entry; the error is at most half the largest gap (uniform) and shrinks with bits.
        const err = maxAbsDiff(got.weights.values as Float32Array, values);
        const spread = Math.max(...values) - Math.min(...values);
        if (codebook === 'uniform') expect(err).toBeLessThanOrEqual(spread / (2 ** bits - 1) / 2 + 1e-6);
        if (bits >= 12) expect(err).toBeLessThan(spread * 1e-3);
        expect(maxAbsDiff(got.bias, op.bias)).toBeLessThan(2e-3); // float16 biases
      });
      if (bits === 16) {
        const logits = sparseModel(read.right).predict(x, 20);
        expect(maxAbsDiff(logits, sparseModel(exported).predict(x, 20))).toBeLessThan(1e-2);
      }
    },
  );

  it('is far smaller than version 1, and version 1 files still read', () => {
    const v1 = serializeSparse(exported);
    const v2 = packSparse(exported, { bits: 4 });
    expect(v2.length).toBeLessThan(v1.length / 3); // random 95 %-pruned weights: indices are high-entropy
    expect(E.isRight(parseSparse(v1, 'old.spvd'))).toBe(true);
    expect(new DataView(v2.buffer).getUint32(8, true)).toBe(PACKED_FORMAT_VERSION);
  });

  it('refuses corrupted, truncated and future-version files with the reason', () => {
    const bytes = packSparse(exported, { bits: 5 });
    const flipped = bytes.slice();
    flipped[flipped.length - 9] = (flipped[flipped.length - 9] as number) ^ 0x40;
    expect(parseSparse(flipped, 'f.spvd')).toMatchObject(
      E.left({
        problem: 'ChecksumMismatch',
        message: 'f.spvd: checksum does not match: the file is truncated or corrupted',
      }),
    );
    expect(parseSparse(bytes.subarray(0, bytes.length - 100), 't.spvd')).toMatchObject(
      E.left({ problem: 'ChecksumMismatch' }),
    );
    expect(parseSparse(bytes.subarray(0, 12), 's.spvd')).toMatchObject(E.left({ problem: 'Truncated' }));
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, 3, true);
    expect(parseSparse(future, 'n.spvd')).toMatchObject(
      E.left({
        problem: 'UnsupportedVersion',
        message:
          'n.spvd: format version 3; this reader supports versions 1 and 2 (a newer @sparsevd/pruning writes it)',
      }),
    );
    // A consistent checksum over damaged content: the inflater or the bounds checks refuse it.
    const forged = bytes.slice();
    forged[30] = (forged[30] as number) ^ 0xff;
    new DataView(forged.buffer).setUint32(16, crc32(forged.subarray(20)), true);
    const read = parseSparse(forged, 'g.spvd');
    expect(E.isLeft(read)).toBe(true);
    expect(() => packSparse(exported, { bits: 0 })).toThrow(
      /bits must be a whole number from 1 to 16, got 0/,
    );
  });
});
