import type * as tfc from '@tensorflow/tfjs-core';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { BackendInfo } from '../backend-info.js';
import type { BackendName } from '../backend-name.js';
import { describeError, loadOptional, type ModuleLoader } from '../module-loader.js';
import { isNativeAcceleratorModule } from '../native-contract.js';
import type { BackendProbes } from '../probes.js';

/** What a candidate needs to start. */
export interface StartContext {
  readonly tf: typeof tfc;
  readonly loader: ModuleLoader;
  readonly probes: BackendProbes;
  /** The version of the native accelerator's vectorised kernels to run; its widest when absent. */
  readonly nativeIsa?: string;
}

/** A backend that started: the parts of {@link BackendInfo} that depend on the backend. */
export type Started = Pick<BackendInfo, 'tfjsBackend' | 'version'> &
  Partial<Pick<BackendInfo, 'wasm' | 'cuda' | 'native'>>;

/** One slot of the backend order: how to start it and what to tell a user who wants it. */
export interface Candidate {
  readonly name: BackendName;
  /** What a user must do to make this backend available. */
  readonly hint: string;
  /** Starts the backend and makes it the active one, or says why it cannot run. */
  readonly start: (ctx: StartContext) => TE.TaskEither<string, Started>;
}

/** Reads `key` from a module namespace, looking through a CommonJS `default` export too. */
const field = (mod: unknown, key: string): unknown => {
  if (typeof mod !== 'object' || mod === null) return undefined;
  const record = mod as Record<string, unknown>;
  if (key in record) return record[key];
  const inner = record.default;
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)[key] : undefined;
};

const versionOf = (mod: unknown, key: string, nested?: string): string => {
  const value = field(mod, key);
  if (typeof value === 'string') return value;
  if (nested !== undefined && typeof value === 'object' && value !== null) {
    const inner = (value as Record<string, unknown>)[nested];
    if (typeof inner === 'string') return inner;
  }
  return 'unknown';
};

/** Makes `name` the active tfjs backend and checks that it computes (1 + 2 = 3). */
const activate = (tf: typeof tfc, name: string, prepare?: () => void): TE.TaskEither<string, void> =>
  TE.tryCatch(
    async () => {
      if (tf.findBackendFactory(name) == null) throw new Error(`no tfjs backend named "${name}" registered`);
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
      await tf.ready();
      prepare?.();
      const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
      const value = (await sum.data())[0];
      sum.dispose();
      if (value !== 3) throw new Error(`smoke test computed 1 + 2 = ${value}`);
    },
    (error) => `failed to start: ${describeError(error)}`,
  );

const TFJS_VERSION = '4.22.0';

const cuda: Candidate = {
  name: 'cuda',
  hint: `npm install @tensorflow/tfjs-node-gpu@${TFJS_VERSION} (allow its install script, which downloads libtensorflow; needs an NVIDIA driver, CUDA 11.2 and cuDNN 8.1)`,
  start: ({ tf, loader, probes }) =>
    pipe(
      loadOptional(loader, '@tensorflow/tfjs-node-gpu'),
      TE.chainFirst(() => activate(tf, 'tensorflow')),
      TE.chain((mod) =>
        pipe(
          probes.cudaDevice(tf),
          TE.map((device) => ({
            tfjsBackend: 'tensorflow',
            version: versionOf(mod, 'version', 'tfjs-node'),
            cuda: { device },
          })),
        ),
      ),
    ),
};

const tensorflow: Candidate = {
  name: 'tensorflow',
  hint: `npm install @tensorflow/tfjs-node@${TFJS_VERSION} (allow its install script, which downloads libtensorflow)`,
  start: ({ tf, loader }) =>
    pipe(
      loadOptional(loader, '@tensorflow/tfjs-node'),
      TE.chainFirst(() => activate(tf, 'tensorflow')),
      TE.map((mod) => ({ tfjsBackend: 'tensorflow', version: versionOf(mod, 'version', 'tfjs-node') })),
    ),
};

const native: Candidate = {
  name: 'native',
  hint: 'npm install @sparsevd/backend-native (linux-x64 uses the prebuilt binary it ships; elsewhere it builds with node-gyp: needs a C++ compiler and OpenBLAS, e.g. apt-get install g++ libopenblas-dev, and allowScripts for the package)',
  start: ({ tf, loader, nativeIsa }) =>
    pipe(
      loadOptional(loader, '@sparsevd/backend-native'),
      TE.chain((loaded) => {
        const mod = isNativeAcceleratorModule(loaded) ? loaded : field(loaded, 'default');
        if (!isNativeAcceleratorModule(mod)) {
          return TE.left(
            '@sparsevd/backend-native does not export version, availability and registerBackend',
          );
        }
        const before = mod.availability();
        if (!before.available) return TE.left(`@sparsevd/backend-native unavailable: ${before.reason}`);
        return pipe(
          TE.tryCatch(
            async () => mod.registerBackend(nativeIsa === undefined ? undefined : { isa: nativeIsa }),
            (error) => `@sparsevd/backend-native failed to register: ${describeError(error)}`,
          ),
          TE.chain(() => activate(tf, 'native')),
          TE.map(() => {
            // Read again after registering: the details name the kernel version chosen there.
            const after = mod.availability();
            return {
              tfjsBackend: 'native',
              version: mod.version,
              native: { details: after.available ? after.details : before.details },
            };
          }),
        );
      }),
    ),
};

const wasm: Candidate = {
  name: 'wasm',
  hint: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0 (a dependency of @sparsevd/backend: reinstall it)',
  start: ({ tf, loader }) =>
    pipe(
      loadOptional(loader, '@tensorflow/tfjs-backend-wasm'),
      TE.chainFirst(() => activate(tf, 'wasm')),
      TE.chain((mod) =>
        TE.tryCatch(
          async () => {
            const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
            const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
            const getThreadsCount = field(mod, 'getThreadsCount');
            const threadCount = typeof getThreadsCount === 'function' ? Number(getThreadsCount()) : 1;
            return {
              tfjsBackend: 'wasm',
              version: versionOf(mod, 'version_wasm'),
              wasm: { simd, threads, threadCount },
            };
          },
          (error) => `failed to read wasm features: ${describeError(error)}`,
        ),
      ),
    ),
};

const cpu: Candidate = {
  name: 'cpu',
  hint: 'npm install @tensorflow/tfjs-backend-cpu@4.22.0 (a dependency of @sparsevd/backend: reinstall it)',
  start: ({ tf, loader }) =>
    pipe(
      loadOptional(loader, '@tensorflow/tfjs-backend-cpu'),
      TE.chainFirst(() =>
        activate(tf, 'cpu', () => {
          // The cpu backend prints a banner advising tfjs-node on its first write; the report returned by
          // selectBackend already says why tfjs-node was passed over, so mark the banner as shown.
          const instance = tf.backend() as unknown as { firstUse?: boolean };
          if (instance.firstUse === true) instance.firstUse = false;
        }),
      ),
      TE.map((mod) => ({ tfjsBackend: 'cpu', version: versionOf(mod, 'version_cpu') })),
    ),
};

/** Every candidate, in the order `auto` tries them. */
export const CANDIDATES: ReadonlyArray<Candidate> = [cuda, tensorflow, native, wasm, cpu];
