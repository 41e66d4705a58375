import { disposeParams, namedVariables, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { buildModel, pretrainModel } from './build-model.js';
import type { Checkpoint } from './checkpoint.js';
import { type TrainError, trainError } from './train-error.js';

/** A checkpoint's network rebuilt with its stored parameters. */
export interface RestoredNetwork {
  readonly network: Sequential;
  readonly params: Params;
  readonly inputShape: Shape;
}

/**
 * Rebuilds the network a checkpoint's configuration describes (or takes `given`, the network of your own the
 * run trained; the dense pretraining network for a checkpoint of the pretraining) and loads the stored
 * parameters into it; a checkpoint that lacks a parameter (or holds one of
 * another size) is a `Left` naming it.
 */
export const restoreNetwork = (
  checkpoint: Checkpoint,
  given?: { readonly network: Sequential; readonly inputShape: Shape },
): E.Either<TrainError, RestoredNetwork> => {
  // A pretraining checkpoint holds the pretraining network (the dense twin); a main-phase one the run's network.
  const { network, inputShape } =
    checkpoint.phase === 'pretrain'
      ? pretrainModel(checkpoint.config)
      : (given ?? buildModel(checkpoint.config));
  const params = network.init(checkpoint.config.seed, { inputShape });
  for (const [name, v] of Object.entries(namedVariables(params))) {
    const saved = checkpoint.params[name];
    if (saved === undefined || saved.values.length !== v.size) {
      disposeParams(params);
      return E.left(
        trainError('Checkpoint', `checkpoint has no parameter "${name}" of shape [${v.shape.join(', ')}]`),
      );
    }
    tf.tidy(() => v.assign(tf.tensor(saved.values, v.shape)));
  }
  return E.right({ network, params, inputShape });
};
