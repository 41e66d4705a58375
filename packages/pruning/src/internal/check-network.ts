import { assertFiniteParams, type Layer, type Params } from '@sparsevd/layers';

/**
 * Checks the network value and parameters an entry point of pruning was given, naming `fn`: a tfjs-layers
 * model gets the call that converts it; parameters with NaN or ±∞ the tensors that hold them.
 *
 * @throws TypeError for a tfjs-layers model or a value that is not a network; NonFiniteParameterError.
 */
export const checkNetwork = (fn: string, network: Layer, params: Params): void => {
  const value = network as unknown as Record<string, unknown>;
  if (typeof value?.sparseWeights !== 'function') {
    const layersModel = typeof value?.predict === 'function' && typeof value?.getLayer === 'function';
    throw new TypeError(
      layersModel
        ? `${fn}: got a tfjs-layers model; convert it first: const { network, params } = fromLayersModel(model) (from '@sparsevd/layers/tfjs-layers'), then ${fn}(network, params)`
        : `${fn}: the first argument must be a network value (a layer or sequential of @sparsevd/layers)`,
    );
  }
  assertFiniteParams(fn, params);
};
