/**
 * The weight rw of the KL term in the objective over training, as a value:
 * - `paper`: 0 for epochs 0–4, then linear from 0 to 1 between epochs 5 and 20, then 1 (the authors'
 *   LeNet protocol over 200 epochs), scaled proportionally to the number of epochs asked for;
 * - `linear`: 0 until `start`, linear to 1 at `end` (epochs, fractional);
 * - `constant`: always `value`.
 */
export type KlSchedule =
  | { readonly kind: 'paper' }
  | { readonly kind: 'linear'; readonly start: number; readonly end: number }
  | { readonly kind: 'constant'; readonly value: number };

/**
 * rw at training time `t` (epochs, fractional: epoch + step / stepsPerEpoch) of a run of `epochs` epochs.
 *
 * @example
 * ```ts
 * import { klWeight } from '@sparsevd/layers';
 * klWeight({ kind: 'paper' }, 1, 20); // 1/3: a 20-epoch run warms up from epoch 0.5 to epoch 2
 * ```
 */
export const klWeight = (schedule: KlSchedule, t: number, epochs: number): number => {
  switch (schedule.kind) {
    case 'constant':
      return schedule.value;
    case 'paper': {
      const scale = epochs / 200;
      return ramp(t, 5 * scale, 20 * scale);
    }
    case 'linear':
      return ramp(t, schedule.start, schedule.end);
  }
};

const ramp = (t: number, start: number, end: number): number =>
  end <= start ? (t >= start ? 1 : 0) : Math.min(1, Math.max(0, (t - start) / (end - start)));
