import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { BackendError } from './backend-error.js';
import type { BackendInfo, PassedOver } from './backend-info.js';
import type { BackendChoice, BackendName } from './backend-name.js';
import { registerGradients } from './gradients.js';
import { CANDIDATES, type Candidate, type StartContext, type Started } from './internal/candidates.js';
import { importModule, type ModuleLoader } from './module-loader.js';
import { parseBackendChoice } from './parse-backend-choice.js';
import { type BackendProbes, defaultProbes } from './probes.js';

/** The environment variable that chooses a backend when no explicit choice is passed. */
export const BACKEND_ENV_VAR = 'SPARSEVD_BACKEND';

/** The environment variable that chooses the native accelerator's kernel version when no option does. */
export const NATIVE_ISA_ENV_VAR = 'SPARSEVD_NATIVE_ISA';

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** The backend to use. Defaults to `SPARSEVD_BACKEND` when set, else `auto`. */
  readonly backend?: BackendChoice;
  /**
   * The version of `@sparsevd/backend-native`'s vectorised kernels — `avx512`, `avx2` or `baseline`, never above
   * what the CPU runs (to test or benchmark a narrower one). Defaults to `SPARSEVD_NATIVE_ISA` when set, else
   * the widest the CPU runs. Only the native backend reads it.
   */
  readonly nativeIsa?: string;
  /** Where `SPARSEVD_BACKEND` and `SPARSEVD_NATIVE_ISA` are read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Loads the optional packages; defaults to `import()`. Inject one to test the choice. */
  readonly loader?: ModuleLoader;
  /** Replaces the real probes (the CUDA device check). */
  readonly probes?: Partial<BackendProbes>;
}

const resolveChoice = (options: SelectBackendOptions): E.Either<BackendError, BackendChoice> => {
  if (options.backend !== undefined) return parseBackendChoice(options.backend, 'backend option');
  const fromEnv = (options.env ?? process.env)[BACKEND_ENV_VAR];
  return fromEnv === undefined || fromEnv.trim() === ''
    ? E.right('auto')
    : parseBackendChoice(fromEnv, BACKEND_ENV_VAR);
};

const candidateFor = (name: BackendName): Candidate => {
  const found = CANDIDATES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`internal: no candidate for backend ${name}`);
  return found;
};

const info = (
  name: BackendName,
  started: Started,
  requested: BackendChoice,
  passedOver: ReadonlyArray<PassedOver>,
): BackendInfo => ({ backend: name, ...started, coreVersion: tf.version_core, requested, passedOver });

const withGradients = (ctx: StartContext): TE.TaskEither<BackendError, StartContext> =>
  pipe(
    TE.tryCatch(
      () => registerGradients(),
      (error): BackendError => ({
        _tag: 'NoBackend',
        reasons: [],
        message: `could not register tfjs gradients: ${String(error)}`,
      }),
    ),
    TE.chain((missing) =>
      missing.length === 0
        ? TE.right(ctx)
        : TE.left<BackendError>({
            _tag: 'NoBackend',
            reasons: [],
            message: `tfjs gradients missing after registration for: ${missing.join(', ')}`,
          }),
    ),
  );

const startExplicit =
  (name: BackendName) =>
  (ctx: StartContext): TE.TaskEither<BackendError, BackendInfo> => {
    const candidate = candidateFor(name);
    return pipe(
      candidate.start(ctx),
      TE.bimap(
        (reason): BackendError => ({
          _tag: 'BackendUnavailable',
          backend: name,
          reason,
          hint: candidate.hint,
          message: `backend "${name}" was asked for but cannot run: ${reason}. To make it available: ${candidate.hint}`,
        }),
        (started) => info(name, started, name, []),
      ),
    );
  };

const startAuto =
  (ctx: StartContext): TE.TaskEither<BackendError, BackendInfo> =>
  async () => {
    const passedOver: PassedOver[] = [];
    for (const candidate of CANDIDATES) {
      const result = await candidate.start(ctx)();
      if (E.isRight(result)) return E.right(info(candidate.name, result.right, 'auto', passedOver));
      passedOver.push({ backend: candidate.name, reason: result.left });
    }
    return E.left({
      _tag: 'NoBackend',
      reasons: passedOver,
      message: `no tfjs backend could start: ${passedOver.map((p) => `${p.backend}: ${p.reason}`).join('; ')}`,
    });
  };

/**
 * Chooses, starts and activates the TensorFlow.js backend, and registers every gradient.
 *
 * With `auto` (the default) it tries, in order: CUDA through `@tensorflow/tfjs-node-gpu` (only when the
 * package loads *and* the probe finds a usable CUDA device), `@tensorflow/tfjs-node`, the native
 * accelerator `@sparsevd/backend-native`, `wasm`, `cpu`, and reports why it passed over each one before
 * the one it chose. An explicit choice (the `backend` option, else the `SPARSEVD_BACKEND` variable) that
 * cannot be satisfied is a `Left` naming what is missing and how to install it — never a silent fallback.
 *
 * @example
 * ```ts
 * const result = await selectBackend({ backend: 'auto' })();
 * const report = E.isRight(result) ? formatBackendReport(result.right) : result.left.message;
 * ```
 */
export const selectBackend = (
  options: SelectBackendOptions = {},
): TE.TaskEither<BackendError, BackendInfo> => {
  const isaFromEnv = (options.env ?? process.env)[NATIVE_ISA_ENV_VAR]?.trim();
  const nativeIsa = options.nativeIsa ?? (isaFromEnv === '' ? undefined : isaFromEnv);
  const ctx: StartContext = {
    tf,
    loader: options.loader ?? importModule,
    probes: { ...defaultProbes, ...options.probes },
    ...(nativeIsa === undefined ? {} : { nativeIsa }),
  };
  return pipe(
    TE.fromEither(resolveChoice(options)),
    TE.chain((choice) =>
      pipe(withGradients(ctx), TE.chain(choice === 'auto' ? startAuto : startExplicit(choice))),
    ),
  );
};
