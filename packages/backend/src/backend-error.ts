import type { BackendName } from './backend-name.js';

/** The choice given (an option, a flag or `SPARSEVD_BACKEND`) is not a backend name. */
export interface InvalidChoiceError {
  readonly _tag: 'InvalidChoice';
  /** Where the value came from, e.g. `"SPARSEVD_BACKEND"` or `"--backend"`. */
  readonly source: string;
  /** The value as given. */
  readonly value: string;
  readonly message: string;
}

/** A backend that was asked for explicitly cannot run here. There is never a silent fallback. */
export interface BackendUnavailableError {
  readonly _tag: 'BackendUnavailable';
  readonly backend: BackendName;
  /** Why it cannot run, e.g. `"@tensorflow/tfjs-node-gpu not installed"`. */
  readonly reason: string;
  /** What would make it run, e.g. `"npm install @tensorflow/tfjs-node-gpu@4.22.0"`. */
  readonly hint: string;
  readonly message: string;
}

/** With `auto`, not even the `cpu` backend started (a broken installation). */
export interface NoBackendError {
  readonly _tag: 'NoBackend';
  readonly reasons: ReadonlyArray<{ readonly backend: BackendName; readonly reason: string }>;
  readonly message: string;
}

/** Everything {@link selectBackend} can fail with; `message` is always a complete, one-line explanation. */
export type BackendError = InvalidChoiceError | BackendUnavailableError | NoBackendError;
