import type { Addon } from '../addon.js';

/**
 * The native epilogue's code for a fused op's activation: 0 for the identity (`linear`), 1 for relu; `undefined`
 * for any other activation, which the caller computes some other way.
 */
export const epilogueCode = (activation: string): 0 | 1 | undefined =>
  activation === 'linear' ? 0 : activation === 'relu' ? 1 : undefined;

/**
 * Adds `bias` (`n` values, or `null` for none) to every row of `n` values of `values` and applies the activation
 * of `code`, in place, in one native pass: the values of the unfused `Add` and `Relu`, bit for bit. The identity
 * without a bias leaves `values` untouched and costs nothing.
 */
export const biasActivationInPlace = (
  addon: Addon,
  values: Float32Array,
  n: number,
  bias: Float32Array | null,
  code: 0 | 1,
): void => {
  if (bias !== null || code === 1) addon.biasActivation(values, values.length / n, n, bias, code);
};
