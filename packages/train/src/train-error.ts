/** What went wrong, within a {@link TrainError}. */
export type TrainProblem = 'NonFinite' | 'Data' | 'Config' | 'Checkpoint' | 'Failed';

/**
 * Why training stopped without a result. As every error of the project: `_tag` names the error type (the
 * variant of the union a function returns), `problem` what went wrong, `message` one line a person can act on.
 */
export interface TrainError {
  readonly _tag: 'TrainError';
  /**
   * `NonFinite`: a loss or parameter became NaN or ±∞; `Data`, `Config`, `Checkpoint`: bad input; `Failed`:
   * anything else that threw during the run (a layer, a tensor op, a backend, an event handler), with its
   * message — `train` resolves to it rather than rejecting.
   */
  readonly problem: TrainProblem;
  /** @deprecated The same as {@link TrainError.problem}, the name the other errors of the project use. */
  readonly kind: TrainProblem;
  readonly message: string;
}

/** A {@link TrainError}. */
export const trainError = (problem: TrainProblem, message: string): TrainError => ({
  _tag: 'TrainError',
  problem,
  kind: problem,
  message,
});
