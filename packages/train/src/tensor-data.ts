import type { Dataset } from '@sparsevd/datasets';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { RunData } from './data.js';
import { type TrainError, trainError } from './train-error.js';

/** One split as tensors: inputs `[n, ...exampleShape]` (float, as the network takes them) and labels. */
export interface LabelledTensors {
  /** `[n, ...]`: flat `[n, features]` or images `[n, height, width, channels]`, already scaled. */
  readonly x: tf.Tensor;
  /** Class indices `[n]` (int32) or one-hot rows `[n, classes]`. */
  readonly labels: tf.Tensor;
}

const split = async (
  what: 'train' | 'test',
  { x, labels }: LabelledTensors,
  classesOf: number | undefined,
): Promise<E.Either<TrainError, Dataset>> => {
  const bad = (detail: string) => E.left(trainError('Data', `runDataFromTensors: ${what}.${detail}`));
  if (!(x instanceof tf.Tensor) || !(labels instanceof tf.Tensor)) return bad('x and labels must be tensors');
  const n = x.shape[0] ?? 0;
  if (x.rank < 2 || n === 0) return bad(`x must be [examples, ...], got [${x.shape.join(', ')}]`);
  if (labels.shape[0] !== n || labels.rank > 2)
    return bad(`labels must be [${n}] or [${n}, classes], got [${labels.shape.join(', ')}]`);
  const values = await x.data();
  for (let i = 0; i < values.length; i += 1)
    if (!Number.isFinite(values[i])) return bad(`x holds ${values[i]} at index ${i}`);
  const classIndex =
    labels.rank === 2 ? tf.tidy(() => tf.cast(tf.argMax(labels, 1), 'int32')) : tf.cast(labels, 'int32');
  const indices = Int32Array.from(await classIndex.data());
  classIndex.dispose();
  const classes =
    labels.rank === 2
      ? (labels.shape[1] as number)
      : (classesOf ?? indices.reduce((m, c) => Math.max(m, c), 0) + 1);
  if (classes > 256) return bad(`labels has ${classes} classes; at most 256`);
  for (let i = 0; i < indices.length; i += 1) {
    const c = indices[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      return bad(`labels[${i}] is ${c}, not a class in 0–${classes - 1}`);
  }
  return E.right({
    name: `tensors/${what}`,
    images: Float32Array.from(values),
    labels: Uint8Array.from(indices),
    shape: x.shape.slice(1),
    classes,
  });
};

/**
 * Training and test data for {@link train} from tensors of your own (copied: the tensors stay yours):
 * examples as the network takes them (no further scaling), labels as class indices or one-hot rows; flat
 * examples are batched `[batch, features]`, images `[batch, height, width, channels]`. Bad input — other
 * lengths, NaN, labels out of range — is a `Data` error naming the split and the problem.
 */
export const runDataFromTensors =
  (data: {
    readonly train: LabelledTensors;
    readonly test: LabelledTensors;
  }): TE.TaskEither<TrainError, RunData> =>
  async () => {
    try {
      const trained = await split('train', data.train, undefined);
      if (E.isLeft(trained)) return trained;
      const tested = await split('test', data.test, trained.right.classes);
      if (E.isLeft(tested)) return tested;
      if (tested.right.shape.join() !== trained.right.shape.join())
        return E.left(
          trainError(
            'Data',
            `runDataFromTensors: train examples are [${trained.right.shape.join(', ')}] but test examples [${tested.right.shape.join(', ')}]`,
          ),
        );
      return E.right({
        train: trained.right,
        test: tested.right,
        batching: { layout: trained.right.shape.length === 1 ? 'flat' : 'nhwc', normalize: 'unit' },
      });
    } catch (error) {
      return E.left(
        trainError('Data', `runDataFromTensors: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  };
