// A browser app that only loads a saved model with SparseVD layers: bundled by esbuild for the browser
// (tree-shaking on, `browser` conditions), then run under Node. With `"sideEffects": false` on
// @sparsevd/layers the bundler dropped the files that register the layer classes and loading failed with
// `Unknown layer: SparseVDDense`; the package now lists them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SparseVDDense } from '@sparsevd/layers/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const APP = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import '@sparsevd/layers/tfjs-layers';

const { artifacts, input } = globalThis.SAVED;
await tf.setBackend('cpu');
const model = await tfl.loadLayersModel(tf.io.fromMemory({
  ...artifacts,
  weightData: Uint8Array.from(atob(artifacts.weightData), (c) => c.charCodeAt(0)).buffer,
}));
const y = model.predict(tf.tensor2d(input, [2, 4]));
globalThis.RESULT = { layers: model.layers.map((l) => l.getClassName()), y: Array.from(y.dataSync()) };
`;

describe('a bundled browser app loading a saved SparseVD model', () => {
  it('finds the SparseVD layer classes (no "Unknown layer") and predicts what the model predicted', async () => {
    await tf.setBackend('cpu');
    const model = tfl.sequential({
      layers: [
        new SparseVDDense({ units: 3, inputShape: [4], trainingSize: 10, activation: 'relu', seed: 1 }),
        new SparseVDDense({ units: 2, trainingSize: 10, seed: 2 }),
      ],
    });
    const input = [0.1, -0.4, 0.9, 0.3, 1, 0.5, -0.2, 0.7];
    const expected = Array.from((model.predict(tf.tensor2d(input, [2, 4])) as tf.Tensor).dataSync());
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const { weightData, ...rest } = saved as tf.io.ModelArtifacts;
    const bytes = Buffer.from(weightData as ArrayBuffer).toString('base64');

    const dir = mkdtempSync(join(tmpdir(), 'sparsevd-bundle-'));
    writeFileSync(join(dir, 'app.mjs'), APP);
    await build({
      entryPoints: [join(dir, 'app.mjs')],
      outfile: join(dir, 'bundle.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      nodePaths: [join(root, 'node_modules')],
      logLevel: 'silent',
    });
    writeFileSync(
      join(dir, 'run.mjs'),
      // As in a page: tfjs takes its browser platform when window.document exists (else its Node one, whose
      // util module the browser bundle leaves out).
      `globalThis.window = globalThis;
globalThis.document = {};
globalThis.SAVED = ${JSON.stringify({ artifacts: { ...rest, weightData: bytes }, input })};
await import('./bundle.mjs');
process.stdout.write(JSON.stringify(globalThis.RESULT));`,
    );
    const out = execFileSync(process.execPath, [join(dir, 'run.mjs')], { encoding: 'utf8' });
    const result = JSON.parse(out.slice(out.indexOf('{'))) as { layers: string[]; y: number[] };
    expect(result.layers).toEqual(['SparseVDDense', 'SparseVDDense']);
    result.y.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 5);
    });
  }, 120_000);
});
