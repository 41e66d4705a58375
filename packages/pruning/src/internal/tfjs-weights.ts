import type { TfjsWeightSpec, TfjsWeightStorage } from '../tfjs-model-types.js';
import { toFloat16 } from './float16.js';

/** uint8 with TF's affine scheme, `min` nudged so that 0 is exactly representable (pruned weights stay 0). */
const quantizeUint8 = (values: Float32Array) => {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const bytes = Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round((v - min) / scale))));
  return { bytes, min, scale };
};

/**
 * The weight file of a tfjs export and its manifest, built tensor by tensor: float32 as it is, or quantised as
 * TensorFlow.js's converter does (float16, or uint8 with the manifest's min and scale) where `quantize` asks;
 * int32 tensors (indices, shapes) always as they are.
 */
export const tfjsWeights = (storage: TfjsWeightStorage) => {
  const specs: TfjsWeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  const bytesOf = (a: Float32Array | Int32Array) =>
    new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  return {
    specs,
    push(name: string, shape: ReadonlyArray<number>, values: Float32Array | Int32Array, quantize: boolean) {
      if (values instanceof Int32Array) {
        specs.push({ name, shape: [...shape], dtype: 'int32' });
        chunks.push(bytesOf(values));
      } else if (!quantize || storage === 'float32') {
        specs.push({ name, shape: [...shape], dtype: 'float32' });
        chunks.push(bytesOf(values));
      } else if (storage === 'float16') {
        specs.push({ name, shape: [...shape], dtype: 'float32', quantization: { dtype: 'float16' } });
        chunks.push(new Uint8Array(Uint16Array.from(values, toFloat16).buffer));
      } else {
        const q = quantizeUint8(values);
        specs.push({
          name,
          shape: [...shape],
          dtype: 'float32',
          quantization: { dtype: 'uint8', min: q.min, scale: q.scale },
        });
        chunks.push(q.bytes);
      }
    },
    /** The weight file: every pushed tensor, in order. */
    data(): Uint8Array {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    },
  };
};
