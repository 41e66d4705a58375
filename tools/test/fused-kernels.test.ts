// The fused-kernel contract across packages: @sparsevd/backend-native registers every kernel of
// @sparsevd/kernels' FUSED_KERNELS, and on the native backend every caller — estimators, layers, train —
// computes with the fused kernels exactly what it computes with the composed ops (same backend, the `fused`
// option of each call on / off).
import { readFileSync } from 'node:fs';
import { availability, FUSED_KERNEL_NAMES, registerBackend } from '@sparsevd/backend-native';
import {
  keepMask,
  klOfWeights,
  lrtConv2d,
  lrtDense,
  sampleUnitNoise,
  unitNoiseKl,
} from '@sparsevd/estimators';
import { FUSED_KERNELS, type FusedOptions, fusedKernelRegistered } from '@sparsevd/kernels';
import { FUSED_KERNELS as DEPRECATED_NAMES } from '@sparsevd/kl';
import { trainableVariables } from '@sparsevd/layers';
import { lenet5Caffe, lenet300100 } from '@sparsevd/models';
import { adamState, adamUpdate, sgvlb } from '@sparsevd/train';
import * as tf from '@tensorflow/tfjs-core';
import '@sparsevd/backend/register-gradients';
import { beforeAll, describe, expect, it } from 'vitest';

const state = availability();
const required = process.env.CI === 'true';

/** Max |a − b| over max(1, max |a|). */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(b.length).toBe(a.length);
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) scale = Math.max(scale, Math.abs(a[i] as number));
  for (let i = 0; i < a.length; i += 1)
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst / scale;
};

/** `f`'s tensors' values with fused kernels on and off (the option `f` passes to every call). */
const onAndOff = (f: (fused: FusedOptions) => tf.Tensor[]): [Float32Array[], Float32Array[]] => {
  const read = (on: boolean) => {
    const ts = tf.tidy(() => f({ fused: on }));
    const values = ts.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ts);
    return values;
  };
  return [read(true), read(false)];
};

describe('the fused kernel names', () => {
  it("the deprecated name tables of @sparsevd/kl and @sparsevd/backend-native follow @sparsevd/kernels' contracts", () => {
    const names = Object.fromEntries(Object.entries(FUSED_KERNELS).map(([key, k]) => [key, k.name]));
    expect({ ...DEPRECATED_NAMES }).toEqual(names);
    expect({ ...FUSED_KERNEL_NAMES }).toEqual(names);
  });
});

describe.runIf(state.available || required)('callers on the native backend: fused = composed', () => {
  beforeAll(async () => {
    if (!state.available) throw new Error(`the native addon is unavailable in CI: ${state.reason}`);
    registerBackend();
    await tf.setBackend('native');
  });
  it('registers every fused kernel; a call with fused: false takes none', () => {
    for (const kernel of Object.values(FUSED_KERNELS)) {
      expect(fusedKernelRegistered(kernel), kernel.name).toBe(true);
      expect(fusedKernelRegistered(kernel, { fused: false }), kernel.name).toBe(false);
    }
  });

  it('keepMask: the masked weights and the mask', () => {
    const theta = tf.randomNormal([40, 20], 0, 0.2, 'float32', 21);
    const logSigma2 = tf.randomUniform([40, 20], -14, 2, 'float32', 22);
    const [fused, composed] = onAndOff((o) => keepMask(theta, logSigma2, { threshold: 3, ...o }));
    fused.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(composed[i] as Float32Array));
    });
    tf.dispose([theta, logSigma2]);
  });

  it('lrtDense, lrtConv2d and klOfWeights: values and gradients', () => {
    const theta = tf.randomNormal([50, 30], 0, 0.2, 'float32', 1);
    const logSigma2 = tf.randomUniform([50, 30], -14, 2, 'float32', 2);
    const bias = tf.randomNormal([30], 0, 1, 'float32', 3);
    const x = tf.randomNormal([8, 50], 0, 1, 'float32', 4);
    const cTheta = tf.randomNormal([3, 3, 2, 4], 0, 0.2, 'float32', 5);
    const cLogSigma2 = tf.randomUniform([3, 3, 2, 4], -14, 2, 'float32', 6);
    const cx = tf.randomNormal([2, 9, 9, 2], 0, 1, 'float32', 7);
    const [fused, composed] = onAndOff((o) => {
      // cx is differentiated too: the LRT conv's input gradient (padding 'same', stride 2).
      const f = (t: tf.Tensor, s: tf.Tensor, b: tf.Tensor, ct: tf.Tensor, cs: tf.Tensor, xx: tf.Tensor) =>
        tf.addN([
          tf.sum(
            tf.square(lrtDense(x, { kind: 'additive', theta: t, logSigma2: s, bias: b }, { seed: 9 }, o)),
          ),
          tf.sum(
            tf.square(
              lrtConv2d(
                xx,
                { kind: 'additive', theta: ct, logSigma2: cs },
                { seed: 10 },
                { padding: 'same', strides: 2, ...o },
              ),
            ),
          ),
          // dy = 1 reaches the first KL (its gradients pass unscaled), 0.37 the second (scaled).
          klOfWeights(t, s, o),
          tf.mul(klOfWeights(ct, cs, o), 0.37),
        ]);
      const args = [theta, logSigma2, bias, cTheta, cLogSigma2, cx];
      return [
        f(theta, logSigma2, bias, cTheta, cLogSigma2, cx),
        ...tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)(args),
      ];
    });
    fused.forEach((v, i) => {
      expect(relErr(composed[i] as Float32Array, v)).toBeLessThan(3e-5);
    });
  });

  it.each([
    ['LeNet-300-100 with train-clip', () => lenet300100({ trainClip: true }), [16, 784]],
    ['LeNet-5-Caffe', () => lenet5Caffe({}), [4, 28, 28, 1]],
    ['LeNet-300-100 with unit noise (SBP)', () => lenet300100({ unitNoise: true }), [16, 784]],
    ['LeNet-5-Caffe with unit noise (SBP)', () => lenet5Caffe({ unitNoise: true }), [4, 28, 28, 1]],
  ] as const)('%s: loss and every gradient', (_, make, shape) => {
    const { network, inputShape } = make();
    const params = network.init(1, { inputShape });
    const vars = trainableVariables(params);
    const x = tf.randomUniform([...shape], 0, 1, 'float32', 11);
    // float32 one-hot labels, as the trainer's batches give them (the fused cross-entropy takes float32).
    const y = tf.cast(
      tf.oneHot(
        tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5].slice(0, shape[0]), 'int32'),
        10,
      ),
      'float32',
    );
    const [fused, composed] = onAndOff((o) => {
      // The trainer's objective: the fused softmax cross-entropy and KL when on.
      const { value, grads } = tf.variableGrads(
        () =>
          sgvlb(network.apply(params, x, 'train', { seed: 12 }, o), y, network.kl(params, o), 60000, 1, o)
            .loss,
        vars,
      );
      return [value, ...vars.map((v) => grads[v.name] as tf.Tensor)];
    });
    fused.forEach((v, i) => {
      expect(relErr(composed[i] as Float32Array, v), `output ${i}`).toBeLessThan(1e-4);
    });
    tf.dispose([x, y, ...vars]);
  });

  it('unitNoiseKl and sampleUnitNoise: values and gradients equal 100-digit references (mpmath)', () => {
    // fixtures/unit-noise-reference.py: μ and log σ across the clip range, both tails (|β| up to 4e8 for the KL,
    // where it switches to its asymptotic form at |β| = 30 — (0.29, −4.6) and (0.31, −4.6) straddle it), and
    // noise out to ±5.5 for the samples.
    const ref = JSON.parse(
      readFileSync(new URL('fixtures/unit-noise-reference.json', import.meta.url), 'utf8'),
    ) as {
      kl: Array<{ mu: number; logSigma: number; kl: number; dMu: number; dLogSigma: number }>;
      sample: Array<{
        mu: number;
        logSigma: number;
        noise: number;
        theta: number;
        dMu: number;
        dLogSigma: number;
        dNoise: number;
      }>;
    };
    const [kl, klMu, klLogSigma, theta, thMu, thLogSigma, thNoise] = tf.tidy(() => {
      const mu = tf.tensor1d(ref.kl.map((r) => r.mu));
      const logSigma = tf.tensor1d(ref.kl.map((r) => r.logSigma));
      const sMu = tf.tensor1d(ref.sample.map((r) => r.mu));
      const sLogSigma = tf.tensor1d(ref.sample.map((r) => r.logSigma));
      const noise = tf.tensor1d(ref.sample.map((r) => r.noise));
      const sample = (m: tf.Tensor, s: tf.Tensor, e: tf.Tensor) => sampleUnitNoise({ mu: m, logSigma: s }, e);
      return [
        unitNoiseKl({ mu, logSigma }),
        ...tf.grads((m: tf.Tensor, s: tf.Tensor) => tf.sum(unitNoiseKl({ mu: m, logSigma: s })))([
          mu,
          logSigma,
        ]),
        sample(sMu, sLogSigma, noise),
        ...tf.grads((m: tf.Tensor, s: tf.Tensor, e: tf.Tensor) => tf.sum(sample(m, s, e)))([
          sMu,
          sLogSigma,
          noise,
        ]),
      ].map((t) => Array.from(t.dataSync()));
    }) as number[][];
    ref.kl.forEach((r, i) => {
      const at = `at μ ${r.mu}, log σ ${r.logSigma}`;
      expect(Math.abs((kl?.[i] as number) - r.kl), `KL ${at}`).toBeLessThan(
        1e-5 * Math.max(1, Math.abs(r.kl)),
      );
      expect(Math.abs((klMu?.[i] as number) - r.dMu), `∂KL/∂μ ${at}`).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(r.dMu)),
      );
      expect(Math.abs((klLogSigma?.[i] as number) - r.dLogSigma), `∂KL/∂log σ ${at}`).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(r.dLogSigma)),
      );
    });
    ref.sample.forEach((r, i) => {
      const at = `at μ ${r.mu}, log σ ${r.logSigma}, ε ${r.noise}`;
      expect(Math.abs((theta?.[i] as number) - r.theta), `θ ${at}`).toBeLessThan(1e-5 * r.theta);
      // Gradients relative to θ's own scale (they are proportional to θ).
      for (const [got, want, name] of [
        [thMu, r.dMu, '∂θ/∂μ'],
        [thLogSigma, r.dLogSigma, '∂θ/∂log σ'],
        [thNoise, r.dNoise, '∂θ/∂ε'],
      ] as const)
        expect(Math.abs((got?.[i] as number) - want), `${name} ${at}`).toBeLessThan(
          1e-4 * Math.max(Math.abs(want), r.theta),
        );
    });
  });

  it('adamUpdate: three steps with the same gradients', () => {
    const [fused, composed] = onAndOff((o) => {
      const vars = [
        tf.variable(tf.randomNormal([300, 100], 0, 1, 'float32', 13)),
        tf.variable(tf.randomNormal([7], 0, 1, 'float32', 14)),
      ];
      const grads = [
        tf.randomNormal([300, 100], 0, 1, 'float32', 15),
        tf.randomNormal([7], 0, 1, 'float32', 16),
      ];
      const adam = adamState(vars);
      for (let i = 0; i < 3; i += 1) adamUpdate(adam, vars, grads, 1e-2, o);
      const out = [...vars, ...adam.m, ...adam.v].map((v) => tf.clone(v));
      tf.dispose([...vars, ...adam.m, ...adam.v]);
      return out;
    });
    fused.forEach((v, i) => {
      expect(relErr(composed[i] as Float32Array, v), `output ${i}`).toBeLessThan(1e-6);
    });
  });
});
