import type { Noise } from '@sparsevd/estimators';
import * as tf from '@tensorflow/tfjs-core';
import { checkMode } from './internal/shape.js';
import type { KlOptions } from './kl-term.js';
import type {
  ApplyOptions,
  InitOptions,
  Layer,
  LayerTensor,
  Mode,
  Params,
  Shape,
  SparseWeight,
} from './layer.js';

/** A network: layers applied in order, itself a {@link Layer} whose parameters are keyed by layer name. */
export interface Sequential extends Layer<Params> {
  readonly layers: ReadonlyArray<Layer>;
  /** The layers' names, unique: the given name or `kind_index`. */
  readonly names: ReadonlyArray<string>;
}

const layerSeed = (seed: number, index: number): number => seed + 7919 * (index + 1);

const sub = (params: Params, name: string, label: string): Params => {
  const value = params[name];
  if (value === undefined || value instanceof tf.Variable)
    throw new RangeError(`${label}: params has no entry for layer "${name}"`);
  return value;
};

/**
 * Composes layers into a network value with the same interface as a layer: `init` creates every layer's
 * parameters in order (propagating shapes), `apply` runs them (each layer draws its noise from its own
 * seed derived from the `{ seed }` given), `kl` is the sum of the layers' KL terms, and `sparseWeights`
 * lists the SparseVD weight tensors by name for reports.
 *
 * `InitOptions.weights` are keyed `"layer/param"` (as {@link namedVariables} names them).
 */
export const sequential = (
  layers: ReadonlyArray<Layer>,
  options: { readonly name?: string } = {},
): Sequential => {
  const label = `sequential${options.name ? ` '${options.name}'` : ''}`;
  if (layers.length === 0) throw new RangeError(`${label}: needs at least one layer`);
  const names = layers.map((layer, i) => layer.name ?? `${layer.kind}_${i}`);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new RangeError(`${label}: two layers are named "${duplicate}"`);

  const shapes = (inputShape: Shape): Shape[] => {
    const out: Shape[] = [inputShape];
    for (const layer of layers) out.push(layer.outputShape(out[out.length - 1] as Shape));
    return out;
  };
  const each = <T>(params: Params, fn: (layer: Layer, p: Params, name: string, i: number) => T): T[] =>
    layers.map((layer, i) => fn(layer, sub(params, names[i] as string, label), names[i] as string, i));

  return {
    kind: 'sequential',
    config: {
      layers: layers.map((layer, i) => ({
        kind: layer.kind,
        name: names[i] as string,
        config: layer.config,
      })),
    },
    ...(options.name === undefined ? {} : { name: options.name }),
    layers,
    names,
    init: (seed: number, init: InitOptions): Params => {
      const inputShapes = shapes(init.inputShape);
      const params: Record<string, Params> = {};
      layers.forEach((layer, i) => {
        const name = names[i] as string;
        const weights = Object.fromEntries(
          Object.entries(init.weights ?? {})
            .filter(([key]) => key.startsWith(`${name}/`))
            .map(([key, value]) => [key.slice(name.length + 1), value]),
        );
        params[name] = layer.init(layerSeed(seed, i), {
          inputShape: inputShapes[i] as Shape,
          ...(Object.keys(weights).length > 0 ? { weights } : {}),
          ...(init.logSigma2Init === undefined ? {} : { logSigma2Init: init.logSigma2Init }),
        });
      });
      return params;
    },
    apply: (params: Params, x: tf.Tensor, mode: Mode, noise?: Noise, options?: ApplyOptions): tf.Tensor => {
      checkMode(label, mode);
      if (noise !== undefined && (noise instanceof tf.Tensor || !('seed' in noise))) {
        throw new TypeError(`${label}: pass noise as { seed }; one noise tensor cannot serve several layers`);
      }
      return tf.tidy(() =>
        each(params, (l, p, _n, i) => ({ l, p, i })).reduce<tf.Tensor>(
          (h, { l, p, i }) =>
            l.apply(
              p,
              h,
              mode,
              noise === undefined ? undefined : { seed: layerSeed(noise.seed, i) },
              options,
            ),
          x,
        ),
      );
    },
    kl: (params: Params, options?: KlOptions): tf.Scalar =>
      tf.tidy(() =>
        each(params, (l, p) => l.kl(p, options)).reduce<tf.Scalar>((a, b) => tf.add(a, b), tf.scalar(0)),
      ),
    logAlpha: (params: Params): tf.Tensor | undefined =>
      tf.tidy(() => {
        const parts = each(params, (l, p) => l.logAlpha(p)).filter((t): t is tf.Tensor => t !== undefined);
        return parts.length === 0 ? undefined : tf.concat(parts.map((t) => tf.reshape(t, [-1])));
      }),
    tensors: (params: Params, prefix = ''): ReadonlyArray<LayerTensor> =>
      each(params, (l, p, name) => l.tensors?.(p, prefix === '' ? name : `${prefix}/${name}`) ?? []).flat(),
    sparseWeights: (params: Params, prefix?: string): ReadonlyArray<SparseWeight> =>
      each(params, (l, p, name) =>
        l.sparseWeights(p, prefix === undefined ? name : `${prefix}/${name}`),
      ).flat(),
    outputShape: (inputShape: Shape): Shape => shapes(inputShape)[layers.length] as Shape,
    weightCount: (inputShape: Shape): number => {
      const s = shapes(inputShape);
      return layers.reduce((total, layer, i) => total + layer.weightCount(s[i] as Shape), 0);
    },
  };
};
