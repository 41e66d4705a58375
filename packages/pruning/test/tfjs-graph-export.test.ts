import { disposeParams, type Params } from '@sparsevd/layers';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toTfjsGraphModel, toTfjsModel } from '../src/index.js';
import { useBackend } from './backends.js';
import { evalOutputs, lenets, maxAbsDiff, mnistBatch, rng, setPattern } from './fixtures.js';

/** Loads a graph export with stock tfjs-converter from memory, as `tf.loadGraphModel` loads model.json and its file. */
const load = (model: ReturnType<typeof toTfjsGraphModel>) =>
  tfc.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: model.modelJson.modelTopology as tf.io.ModelJSON['modelTopology'],
      format: 'graph-model',
      weightSpecs: [...(model.modelJson.weightsManifest[0]?.weights ?? [])] as tf.io.WeightsManifestEntry[],
      weightData: model.weightData.slice().buffer,
    }),
  );

describe.each([
  ['LeNet-300-100', 'lenet300100', 'flat'],
  ['LeNet-5-Caffe', 'lenet5', 'nhwc'],
] as const)('%s as a stock tfjs graph model', (_label, which, layout) => {
  const { network, inputShape } = lenets()[which];
  let params: Params;
  let x: tf.Tensor;
  let want: Float32Array;
  beforeAll(async () => {
    await useBackend('cpu');
    params = network.init(3, { inputShape });
    const r = rng(5);
    for (const w of network.sparseWeights(params)) {
      const [layer] = w.name.split('/');
      const units = w.theta.shape[w.theta.shape.length - 1] as number;
      // Most weights pruned, and whole rows (inputs) and columns (units) gone, so compaction has work to do; the
      // first 100 inputs of fc1 lose every weight, so the export selects its inputs.
      setPattern(
        params,
        layer as string,
        (i) => (layer === 'fc1' && i < 100 * units) || i % 7 === 0 || r() < 0.9,
      );
    }
    x = await mnistBatch(200, layout);
    want = evalOutputs(network, params, x);
  });
  afterAll(() => {
    disposeParams(params);
    x.dispose();
  });

  it('built-in ops only; predicts what the eval-mode network predicts, from the original input', async () => {
    const exported = toTfjsGraphModel(network, params, inputShape);
    const ops = new Set(
      (exported.modelJson.modelTopology as { node: { op: string }[] }).node.map((n) => n.op),
    );
    const allowed = [
      'Placeholder',
      'Const',
      'MatMul',
      'BiasAdd',
      'Relu',
      'Conv2D',
      'MaxPool',
      'Reshape',
      'GatherV2',
      'Identity',
    ];
    expect([...ops].filter((op) => !allowed.includes(op))).toEqual([]);
    expect(ops.has(which === 'lenet5' ? 'Conv2D' : 'MatMul')).toBe(true);
    const model = await load(exported);
    const before = tf.memory().numTensors;
    const out = model.predict(x) as tf.Tensor;
    const got = out.dataSync() as Float32Array;
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(out.shape).toEqual([200, 10]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('a flat input selection is a gather, so its file is smaller than the layers export (float32)', () => {
    const graph = toTfjsGraphModel(network, params, inputShape);
    const layers = toTfjsModel(network, params, inputShape);
    const selects = (graph.modelJson.modelTopology as { node: { op: string }[] }).node.filter(
      (n) => n.op === 'GatherV2',
    ).length;
    if (which === 'lenet300100') {
      expect(graph.inputs).toEqual({ before: 784, after: 684 });
      expect(selects).toBe(1);
      // The layers export keeps the 100 removed inputs as zero rows of fc1's kernel; the graph gathers 684 indices.
      expect(layers.weightData.length - graph.weightData.length).toBe(
        100 * (graph.units[0]?.after ?? 0) * 4 - 684 * 4 - 4, // minus the indices and the axis
      );
    } else {
      expect(selects).toBe(0); // image inputs: compaction removes filters, not pixels
    }
    expect(graph.units).toEqual(layers.units);
  });

  it('uint8 weights dequantised by stock tfjs on load: a quarter of the float32 kernels, outputs close', async () => {
    const plain = toTfjsGraphModel(network, params, inputShape);
    const exported = toTfjsGraphModel(network, params, inputShape, { quantize: 'uint8' });
    expect(exported.weightData.length).toBeLessThan(plain.weightData.length * 0.3 + 4096);
    const model = await load(exported);
    const out = model.predict(x) as tf.Tensor;
    const got = out.dataSync() as Float32Array;
    out.dispose();
    // 8-bit kernels of an untrained network: outputs within a few percent of their range.
    const range = Math.max(...want) - Math.min(...want);
    expect(maxAbsDiff(got, want)).toBeLessThan(0.05 * range);
    model.dispose();
  });
});
