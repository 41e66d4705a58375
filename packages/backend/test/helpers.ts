import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { ModuleLoader } from '../src/index.js';

/** The error Node throws for `import()` of a package that is not installed. */
export const notFound = (specifier: string): Error =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/index.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

/** A fake optional package: loading it registers a tfjs backend (a CPU one) under `backendName`. */
export const fakeBackendModule =
  (backendName: string, exports: Record<string, unknown>) => (): Record<string, unknown> => {
    tf.registerBackend(backendName, () => new MathBackendCPU());
    // The fake backend computes with the cpu kernels, registered under its own name once per process.
    if (tf.getKernelsForBackend(backendName).length === 0) tf.copyRegisteredKernels('cpu', backendName);
    return exports;
  };

/**
 * A loader that serves the given fakes (a function is called on load, an Error is thrown), reports
 * every other optional package as not installed, and loads wasm and cpu for real.
 */
export const fakeLoader =
  (fakes: Record<string, (() => unknown) | Error>): ModuleLoader =>
  async (specifier) => {
    const fake = fakes[specifier];
    if (fake instanceof Error) throw fake;
    if (fake !== undefined) return fake();
    if (specifier === '@tensorflow/tfjs-backend-wasm' || specifier === '@tensorflow/tfjs-backend-cpu') {
      return import(specifier);
    }
    throw notFound(specifier);
  };

/** Forgets fake backends between tests so each starts from the real registry. */
export const removeFakeBackends = (): void => {
  for (const name of ['tensorflow', 'native']) {
    if (tf.findBackendFactory(name) != null) tf.removeBackend(name);
  }
};
