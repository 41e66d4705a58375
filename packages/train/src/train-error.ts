/** Why training stopped without a result. */
export interface TrainError {
  readonly _tag: 'TrainError';
  /**
   * `NonFinite`: a loss or parameter became NaN or ±∞; `Data`, `Config`, `Checkpoint`: bad input; `Failed`:
   * anything else that threw during the run (a layer, a tensor op, a backend, an event handler), with its
   * message — `train` resolves to it rather than rejecting.
   */
  readonly kind: 'NonFinite' | 'Data' | 'Config' | 'Checkpoint' | 'Failed';
  readonly message: string;
}

export const trainError = (kind: TrainError['kind'], message: string): TrainError => ({
  _tag: 'TrainError',
  kind,
  message,
});
