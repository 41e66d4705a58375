import { execFile } from 'node:child_process';
import type * as tfc from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';

/** Checks that only the real environment can answer; injected in tests. */
export interface BackendProbes {
  /**
   * Runs after `@tensorflow/tfjs-node-gpu` has loaded and its backend is active: the name of the CUDA
   * device in use, or why there is none. Loading the package proves nothing; libtensorflow silently falls
   * back to the CPU when no CUDA device (or no matching CUDA/cuDNN) is usable.
   */
  readonly cudaDevice: (tf: typeof tfc) => TE.TaskEither<string, string>;
}

const nvidiaSmiName = (): Promise<string | undefined> =>
  new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=name', '--format=csv,noheader'],
      { timeout: 5_000 },
      (error, stdout) => resolve(error ? undefined : stdout.split('\n')[0]?.trim() || undefined),
    );
  });

/**
 * The real CUDA probe: asks the tfjs-node backend whether libtensorflow placed its ops on a GPU
 * (`isUsingGpuDevice`, set by the native binding from the devices TensorFlow found), then names the device
 * with `nvidia-smi` when that tool is present.
 */
export const probeCudaDevice =
  (tf: typeof tfc): TE.TaskEither<string, string> =>
  async () => {
    const backend = tf.backend() as unknown as { isUsingGpuDevice?: unknown };
    if (backend.isUsingGpuDevice !== true) {
      return E.left(
        'no CUDA device: libtensorflow found no usable GPU (check the driver, CUDA 11.2 and cuDNN 8.1)',
      );
    }
    const name = await nvidiaSmiName();
    return E.right(name ?? 'CUDA GPU (nvidia-smi not found)');
  };

/** The probes used when none are injected. */
export const defaultProbes: BackendProbes = { cudaDevice: probeCudaDevice };
