import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendChoice } from '@sparsevd/backend';
import { batches } from '@sparsevd/datasets';
import { sparseModel } from '@sparsevd/pruning';
import { readSparseFile } from '@sparsevd/pruning/node';
import { DEFAULT_CONFIG } from '@sparsevd/train';
import { loadRunData } from '@sparsevd/train/node';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { type CliError, failure } from '../cli-error.js';
import { startBackend } from '../run-state.js';
import type { Io } from './train.js';

/** What `sparsevd eval PATH` was given: a run directory, a sparse file, or a stock tfjs export directory. */
export const exportKind = async (path: string): Promise<'run' | 'sparse' | 'tfjs' | undefined> => {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  if (info.isFile()) return 'sparse';
  if (
    await stat(join(path, 'checkpoint.ckpt')).then(
      () => true,
      () => false,
    )
  )
    return 'run';
  if (
    await stat(join(path, 'model.json')).then(
      () => true,
      () => false,
    )
  )
    return 'tfjs';
  return 'run';
};

/**
 * `sparsevd eval FILE.spvd` or `sparsevd eval TFJS_DIR`: the test error of an export on the MNIST test set (the
 * input shape says the layout: 784 flat or 28×28×1), read as it ships — the sparse file through the CSR
 * inference path, the tfjs export through plain tfjs-layers (a graph model through tfjs-converter).
 */
export const evalExportCommand = async (
  path: string,
  kind: 'sparse' | 'tfjs',
  backendChoice: BackendChoice,
  io: Io,
): Promise<E.Either<CliError, number>> => {
  const backend = await startBackend(backendChoice, undefined, false);
  if (E.isLeft(backend)) return backend;
  let predict: (x: tf.Tensor) => Int32Array;
  let inputShape: ReadonlyArray<number>;
  let bytes: number;
  let graph = false;
  if (kind === 'sparse') {
    const read = await readSparseFile(path)();
    if (E.isLeft(read)) return E.left(failure(read.left.message));
    const model = sparseModel(read.right);
    inputShape = read.right.inputShape;
    bytes = (await stat(path)).size;
    predict = (x) => {
      const size = x.shape[0] as number;
      const logits = model.predict(x.dataSync() as Float32Array, size);
      const classes = logits.length / size;
      return Int32Array.from({ length: size }, (_, i) => {
        const row = logits.subarray(i * classes, (i + 1) * classes);
        return row.indexOf(Math.max(...row));
      });
    };
  } else {
    let json: {
      format?: string;
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    };
    try {
      json = JSON.parse(await readFile(join(path, 'model.json'), 'utf8'));
    } catch (error) {
      return E.left(failure(`${path}/model.json: cannot read: ${(error as Error).message}`));
    }
    const manifest = json.weightsManifest?.[0];
    if (manifest === undefined) return E.left(failure(`${path}/model.json: no weights manifest`));
    const weights = await readFile(join(path, manifest.paths[0] as string)).catch(() => undefined);
    if (weights === undefined)
      return E.left(failure(`${path}/${manifest.paths[0]}: cannot read the weight file`));
    bytes = weights.length + (await stat(join(path, 'model.json'))).size;
    const artifacts = {
      modelTopology: json.modelTopology,
      weightSpecs: manifest.weights,
      weightData: weights.buffer.slice(
        weights.byteOffset,
        weights.byteOffset + weights.byteLength,
      ) as ArrayBuffer,
    };
    if (json.format === 'graph-model') {
      // A graph model (`--format tfjs-graph`): stock tfjs-converter.
      const tfc = await import('@tensorflow/tfjs-converter');
      let model: Awaited<ReturnType<typeof tfc.loadGraphModel>>;
      try {
        model = await tfc.loadGraphModel(tf.io.fromMemory({ ...artifacts, format: 'graph-model' }));
      } catch (error) {
        return E.left(failure(`${path}: not a loadable tfjs graph model: ${(error as Error).message}`));
      }
      inputShape = (model.inputs[0]?.shape ?? []).slice(1);
      graph = true;
      predict = (x) => {
        const out = model.predict(x) as tf.Tensor;
        const classes = tf.argMax(out, 1);
        const values = classes.dataSync() as Int32Array;
        tf.dispose([out, classes]);
        return values;
      };
    } else {
      const tfl = await import('@tensorflow/tfjs-layers');
      let model: Awaited<ReturnType<typeof tfl.loadLayersModel>>;
      try {
        model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
      } catch (error) {
        return E.left(failure(`${path}: not a loadable tfjs-layers model: ${(error as Error).message}`));
      }
      inputShape = (model.inputs[0]?.shape ?? []).slice(1) as number[];
      predict = (x) => tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync() as Int32Array);
    }
  }
  const layout = inputShape.length === 1 ? 'flat' : 'nhwc';
  const data = await loadRunData({ ...DEFAULT_CONFIG, model: layout === 'flat' ? 'lenet300' : 'lenet5' })();
  if (E.isLeft(data)) return E.left(failure(data.left.message));
  let wrong = 0;
  for (const { x, y, size } of batches(data.right.test, {
    ...data.right.batching,
    batchSize: 1000,
    shuffle: false,
    labels: 'indices',
  })) {
    const predicted = predict(x);
    const labels = y.dataSync();
    for (let i = 0; i < size; i += 1) if (predicted[i] !== labels[i]) wrong += 1;
    tf.dispose([x, y]);
  }
  io.out(
    `${path}: ${kind === 'sparse' ? 'sparse file' : graph ? 'stock tfjs graph model' : 'stock tfjs-layers model'}, ${bytes} bytes; MNIST test error ${((100 * wrong) / data.right.test.labels.length).toFixed(2)} % (${data.right.test.labels.length} images)\n`,
  );
  return E.right(0);
};
