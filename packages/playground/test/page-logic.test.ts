// The page's pure parts, in Node: the charts' markup, the drawing's downsampling, the settings ↔ config ↔
// command line, and the snapshot the worker draws from.
import { dense, relu, sequential } from '@sparsevd/layers';
import { DEFAULT_CONFIG, validateConfig } from '@sparsevd/train';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { barsChart, downsample, histogramChart, lineChart } from '../src/charts.js';
import {
  cliCommand,
  DEFAULT_SETTINGS,
  fromTrainConfig,
  settingsProblem,
  toTrainConfig,
} from '../src/settings.js';
import { mergeHistograms, snapshot } from '../src/snapshot.js';

describe('settings', () => {
  it('are the CLI defaults with the controls set, valid, and round-trip through a stored config', () => {
    const config = toTrainConfig(DEFAULT_SETTINGS);
    expect(E.isRight(validateConfig(config))).toBe(true);
    expect({
      ...config,
      epochs: DEFAULT_CONFIG.epochs,
      trainSubset: undefined,
      testSubset: undefined,
    }).toEqual({
      ...DEFAULT_CONFIG,
      trainSubset: undefined,
      testSubset: undefined,
    });
    expect(fromTrainConfig(config)).toEqual(DEFAULT_SETTINGS);
    expect(cliCommand({ ...DEFAULT_SETTINGS, epochs: 2, seed: 9 })).toBe(
      'npx sparsevd train --epochs 2 --train-subset 10000 --test-subset 2000 --lr 0.001 --train-clip --seed 9 --backend wasm',
    );
  });

  it('impossible values are refused with the control named', () => {
    expect(settingsProblem(DEFAULT_SETTINGS)).toBeUndefined();
    expect(settingsProblem({ ...DEFAULT_SETTINGS, epochs: 0 })).toBe(
      'epochs: 0 is not a whole number from 1 to 200',
    );
    expect(settingsProblem({ ...DEFAULT_SETTINGS, trainSubset: 70_000 })).toMatch(/^training subset: 70000/);
    expect(settingsProblem({ ...DEFAULT_SETTINGS, lr: Number.NaN })).toBe(
      'learning rate: NaN is not in (0, 1]',
    );
  });
});

describe('charts', () => {
  it('draw each point, skip non-finite ones, and mark the threshold', () => {
    const svg = lineChart(
      [
        {
          name: 'error',
          points: [
            [1, 5],
            [2, 3],
          ],
          color: '#f00',
          axis: 'left',
        },
        {
          name: 'compression',
          points: [
            [1, 2],
            [2, Number.NaN],
            [3, 40],
          ],
          color: '#00f',
          axis: 'right',
          log: true,
        },
      ],
      { width: 300, height: 100, xMax: 3, xLabel: 'epoch' },
    );
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg).not.toContain('NaN');
    const hist = histogramChart([-8, 0, 8], [10, 0], 3, { width: 200, height: 100 });
    expect(hist.match(/<rect/g)).toHaveLength(2);
    expect(hist).toContain('removed');
    expect(histogramChart([0, 1], [1, 2], 3, { width: 200, height: 100 })).toBe(''); // edges ≠ counts + 1
    expect(
      barsChart([{ label: 'fc1', value: 97.5, note: '5 of 200 kept' }], { width: 300, height: 60 }),
    ).toContain('97.5 %');
  });

  it('a 280×280 drawing becomes MNIST 28×28 input: each pixel the mean of its 10×10 block, in [0, 1]', () => {
    const rgba = new Uint8ClampedArray(280 * 280 * 4);
    for (let y = 0; y < 10; y += 1) for (let x = 0; x < 10; x += 1) rgba[(y * 280 + x) * 4] = 255; // block (0,0)
    for (let x = 20; x < 25; x += 1) rgba[(0 * 280 + x) * 4] = 255; // half a row of block (0,2)
    const out = downsample(rgba);
    expect(out).toHaveLength(784);
    expect(out[0]).toBe(1);
    expect(out[2]).toBeCloseTo(5 / 100, 6);
    expect(out.slice(3).every((v) => v === 0)).toBe(true);
  });
});

describe('snapshot', () => {
  it('histograms, per-layer sparsity and the kept input pixels of a network, leaking nothing', async () => {
    await tf.setBackend('cpu');
    const network = sequential([dense({ units: 3, name: 'fc1' }), relu(), dense({ units: 2, name: 'fc2' })]);
    const params = network.init(1, { inputShape: [784], logSigma2Init: -10 });
    const before = tf.memory().numTensors;
    const s = await snapshot(network, params, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.pixels).toHaveLength(784);
    expect(s.layers.map((l) => l.weights)).toEqual([784 * 3, 6]);
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(784 * 3 + 6);
    expect(
      mergeHistograms([
        { edges: [0, 1, 2], counts: [1, 2] },
        { edges: [0, 1, 2], counts: [3, 4] },
      ]),
    ).toEqual({
      edges: [0, 1, 2],
      counts: [4, 6],
    });
  });
});
