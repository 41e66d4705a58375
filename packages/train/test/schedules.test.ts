import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  klWeight,
  learningRate,
  paperProtocol,
  sgvlb,
  validateConfig,
} from '../src/index.js';
import { useBackend } from './backends.js';

describe('schedules', () => {
  it('paper KL weight: 0 for epochs 0–4, linear to 1 between epochs 5 and 20, then 1 (200 epochs)', () => {
    const s = { kind: 'paper' } as const;
    expect([0, 4.99, 5, 12.5, 20, 150].map((t) => klWeight(s, t, 200))).toEqual([0, 0, 0, 0.5, 1, 1]);
    // Scaled proportionally: over 20 epochs the ramp runs from 0.5 to 2.
    expect([0.4, 0.5, 1.25, 2, 10].map((t) => klWeight(s, t, 20))).toEqual([0, 0, 0.5, 1, 1]);
    expect(klWeight({ kind: 'constant', value: 0.3 }, 7, 10)).toBe(0.3);
    expect(klWeight({ kind: 'linear', start: 2, end: 4 }, 3, 10)).toBe(0.5);
  });

  it('paper learning rate: constant for the first half, then linear decay to 0 at the last epoch', () => {
    const s = { kind: 'paper' } as const;
    expect([0, 99.99, 100, 150, 200].map((t) => learningRate(s, 1e-3, t, 200))).toEqual([
      1e-3, 1e-3, 1e-3, 5e-4, 0,
    ]);
    expect(learningRate({ kind: 'step', every: 10, gamma: 0.1 }, 1, 25, 100)).toBeCloseTo(0.01, 12);
    expect(learningRate({ kind: 'constant' }, 0.5, 99, 100)).toBe(0.5);
  });

  it('the paper protocol sets the authors’ settings', () => {
    expect(paperProtocol('lenet300')).toMatchObject({
      epochs: 200,
      batchSize: 100,
      lr: 1e-3,
      trainClip: true,
      logSigma2Init: -10,
    });
    expect(paperProtocol('vgg')).toMatchObject({ lr: 1e-5, logSigma2Init: -15 });
  });

  it('validateConfig names the option for impossible values', () => {
    const bad = (patch: object) => {
      const r = validateConfig({ ...DEFAULT_CONFIG, ...patch });
      return r._tag === 'Left' ? r.left.message : 'ok';
    };
    expect(bad({})).toBe('ok');
    expect(bad({ epochs: 0 })).toBe('epochs: must be a positive integer, got 0');
    expect(bad({ lr: -1 })).toBe('lr: must be a finite number > 0, got -1');
    expect(bad({ threshold: Number.NaN })).toBe('threshold: must be a finite number, got NaN');
    expect(bad({ model: 'resnet' })).toMatch(/^model: unknown model "resnet"/);
    expect(bad({ model: 'vgg' })).toMatch(/vgg does not take mnist inputs/);
  });
});

describe('the objective', () => {
  beforeAll(() => useBackend('cpu'));

  it('is N · mean cross-entropy + rw · KL, with N the training-set size, not the batch size', () => {
    const logits = tf.tensor2d([
      [2, 0, -1],
      [0.5, 0.5, 3],
    ]);
    const labels = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const kl = tf.scalar(1234);
    const { loss, dataTerm } = sgvlb(logits, labels, kl, 60_000, 0.25);
    const ce = (row: number[], k: number) =>
      Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - (row[k] as number);
    const mean = (ce([2, 0, -1], 0) + ce([0.5, 0.5, 3], 1)) / 2;
    expect(dataTerm.dataSync()[0]).toBeCloseTo(mean, 5);
    expect(loss.dataSync()[0]).toBeCloseTo(60_000 * mean + 0.25 * 1234, 1);
    expect(() => sgvlb(logits, labels, kl, 2.5, 1)).toThrow(/trainingSize must be a positive integer/);
    tf.dispose([logits, labels, kl, loss, dataTerm]);
  });
});
