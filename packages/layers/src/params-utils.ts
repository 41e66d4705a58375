import * as tf from '@tensorflow/tfjs-core';
import type { Params } from './layer.js';

const isVariable = (value: tf.Variable | Params): value is tf.Variable => value instanceof tf.Variable;

/**
 * Flattens (nested) parameters into `"layer/param"` paths, e.g. `{ "dense_0/theta": … }`: the names used
 * by checkpoints, reports and `InitOptions.weights` of a sequential network.
 */
export const namedVariables = (params: Params, prefix = ''): Readonly<Record<string, tf.Variable>> => {
  const out: Record<string, tf.Variable> = {};
  for (const [name, value] of Object.entries(params)) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    if (isVariable(value)) out[path] = value;
    else Object.assign(out, namedVariables(value, path));
  }
  return out;
};

/** The variables an optimizer should update (moving statistics and other non-trainable state excluded). */
export const trainableVariables = (params: Params): tf.Variable[] =>
  Object.values(namedVariables(params)).filter((v) => v.trainable);

/** Disposes every variable of the parameters. */
export const disposeParams = (params: Params): void => {
  for (const v of Object.values(namedVariables(params))) v.dispose();
};
