export { type KlSchedule, klWeight } from '@sparsevd/layers';

/**
 * The learning rate over training, as a value:
 * - `paper`: constant for the first half, then linear decay to 0 at the last epoch (the authors');
 * - `constant`;
 * - `step`: multiplied by `gamma` every `every` epochs.
 */
export type LrSchedule =
  | { readonly kind: 'paper' }
  | { readonly kind: 'constant' }
  | { readonly kind: 'step'; readonly every: number; readonly gamma: number };

/** The learning rate at training time `t` (fractional epochs) of `epochs` epochs, starting from `lr`. */
export const learningRate = (schedule: LrSchedule, lr: number, t: number, epochs: number): number => {
  switch (schedule.kind) {
    case 'constant':
      return lr;
    case 'paper': {
      const half = epochs / 2;
      return t < half ? lr : Math.max(0, (lr * (epochs - t)) / (epochs - half));
    }
    case 'step':
      return lr * schedule.gamma ** Math.floor(t / schedule.every);
  }
};
