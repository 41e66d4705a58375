import type { BackendChoice } from '@sparsevd/backend';
import { batches } from '@sparsevd/datasets';
import { disposeParams } from '@sparsevd/layers';
import { toTfjsGraphModel, toTfjsModel } from '@sparsevd/pruning';
import { writeTfjsModel } from '@sparsevd/pruning/node';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { type CliError, failure } from '../cli-error.js';
import { restoreWithData } from './dir-commands.js';
import type { Io } from './train.js';

/**
 * `sparsevd export DIR --format tfjs|tfjs-graph [--quantize float16|uint8] --out OUTDIR`: the compacted network as
 * a stock tfjs-layers model, or a stock tfjs graph model; prints its size, its test error, and its agreement
 * with the eval-mode network.
 */
export const exportTfjsCommand = async (
  dir: string,
  backendChoice: BackendChoice,
  quantize: 8 | 'float16' | 'uint8' | undefined,
  out: string,
  io: Io,
  kind: 'layers' | 'graph' = 'layers',
): Promise<E.Either<CliError, number>> => {
  const loaded = await restoreWithData(dir, backendChoice);
  if (E.isLeft(loaded)) return loaded;
  const { network, params, inputShape, data } = loaded.right;
  try {
    const options = quantize === undefined || quantize === 8 ? {} : { quantize };
    const model =
      kind === 'graph'
        ? toTfjsGraphModel(network, params, inputShape, options)
        : toTfjsModel(network, params, inputShape, options);
    const written = await writeTfjsModel(out, model)();
    if (E.isLeft(written)) return E.left(failure(written.left.message));
    // Read back as any tfjs user would, then compare with the eval-mode network on the whole test set.
    const artifacts = {
      modelTopology: model.modelJson.modelTopology as tf.io.ModelJSON['modelTopology'],
      format: model.modelJson.format,
      weightSpecs: [...(model.modelJson.weightsManifest[0]?.weights ?? [])] as tf.io.WeightsManifestEntry[],
      weightData: model.weightData.slice().buffer,
    };
    const loadedModel =
      kind === 'graph'
        ? await (await import('@tensorflow/tfjs-converter')).loadGraphModel(tf.io.fromMemory(artifacts))
        : await (await import('@tensorflow/tfjs-layers')).loadLayersModel(tf.io.fromMemory(artifacts));
    let wrong = 0;
    let agree = 0;
    let count = 0;
    for (const { x, y, size } of batches(data.test, { ...data.batching, batchSize: 1000, shuffle: false })) {
      const counts = tf.tidy(() => {
        const mine = tf.argMax(network.apply(params, x, 'eval'), 1);
        const theirs = tf.argMax(loadedModel.predict(x) as tf.Tensor, 1);
        return tf.stack([
          tf.sum(tf.cast(tf.notEqual(theirs, tf.argMax(y, 1)), 'int32')),
          tf.sum(tf.cast(tf.equal(theirs, mine), 'int32')),
        ]);
      });
      const [w, a] = counts.dataSync();
      wrong += w as number;
      agree += a as number;
      count += size;
      tf.dispose([x, y, counts]);
    }
    loadedModel.dispose();
    const units = model.units.map((u) => `${u.name} ${u.before}→${u.after}`).join(', ');
    io.out(
      `${[
        `wrote ${out}/model.json and ${out}/${model.modelJson.weightsManifest[0]?.paths[0]}: ${written.right} bytes (weights ${model.weightData.length} bytes${quantize === undefined || quantize === 8 ? '' : `, ${quantize}`})`,
        `  compacted: inputs ${model.inputs.before}→${model.inputs.after}, units ${units}`,
        `test error of the tfjs model: ${((100 * wrong) / count).toFixed(2)} %; agrees with the eval-mode network on ${agree} of ${count} test images (${((100 * agree) / count).toFixed(2)} %)`,
      ].join('\n')}\n`,
    );
    return E.right(0);
  } finally {
    disposeParams(params);
  }
};
