import type { Tensor } from '@tensorflow/tfjs-core';

const show = (shape: ReadonlyArray<number>): string => `[${shape.join(', ')}]`;

export { checkFloatTensor } from '@sparsevd/kl';

/** Throws unless `t` has rank `rank`. */
export const checkRank = (fn: string, arg: string, t: Tensor, rank: number, meaning: string): void => {
  if (t.rank !== rank)
    throw new RangeError(`${fn}: ${arg} must have rank ${rank} (${meaning}), got shape ${show(t.shape)}`);
};

/** Throws unless `a` and `b` have the same shape. */
export const checkSameShape = (fn: string, argA: string, a: Tensor, argB: string, b: Tensor): void => {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(
      `${fn}: ${argA} has shape ${show(a.shape)} but ${argB} has shape ${show(b.shape)}; they must match`,
    );
  }
};

/** Throws unless dimension `i` of `a` equals dimension `j` of `b`. */
export const checkDim = (
  fn: string,
  argA: string,
  a: Tensor,
  i: number,
  argB: string,
  b: Tensor,
  j: number,
): void => {
  const di = a.shape[i < 0 ? a.rank + i : i];
  const dj = b.shape[j < 0 ? b.rank + j : j];
  if (di !== dj) {
    throw new RangeError(
      `${fn}: ${argA} has shape ${show(a.shape)} and ${argB} has shape ${show(b.shape)}: ` +
        `${argA} dimension ${i} (${di}) must equal ${argB} dimension ${j} (${dj})`,
    );
  }
};

export { show as showShape };
