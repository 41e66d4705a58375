/** Why training stopped without a result. */
export interface TrainError {
  readonly _tag: 'TrainError';
  /** `NonFinite`: a loss or parameter became NaN or ±∞; `Data`, `Config`, `Checkpoint`: bad input. */
  readonly kind: 'NonFinite' | 'Data' | 'Config' | 'Checkpoint';
  readonly message: string;
}

export const trainError = (kind: TrainError['kind'], message: string): TrainError => ({
  _tag: 'TrainError',
  kind,
  message,
});
