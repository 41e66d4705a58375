import { type Addon, loadAddon } from './addon.js';
import { registerNativeBackend } from './register-backend.js';

/** The package version (what `@sparsevd/backend` reports). */
export const version = '0.1.0';

let loaded: { readonly addon: Addon } | { readonly reason: string } | undefined;
const load = () => {
  loaded ??= loadAddon();
  return loaded;
};

/**
 * Whether the addon was built and loads here, as `@sparsevd/backend` asks: when available, the BLAS it uses,
 * its threads and the instruction set of its vectorised kernels; when not, the missing piece in one line (no compiler, no CBLAS, build failure).
 */
export const availability = ():
  | { readonly available: true; readonly details: string }
  | { readonly available: false; readonly reason: string } => {
  const result = load();
  if ('reason' in result) return { available: false, reason: result.reason };
  const config = result.addon.blasInfo().split(' ');
  return {
    available: true,
    details:
      `${config[0] ?? 'OpenBLAS'} ${config[1] ?? ''} (${config.at(-2) ?? ''}), ${result.addon.threads()} threads, ${result.addon.simdLevel()} kernels`.trim(),
  };
};

/** Registers the tfjs backend named `native` (idempotent); throws when the addon is unavailable. */
export const registerBackend = (): void => {
  const result = load();
  if ('reason' in result) throw new Error(`@sparsevd/backend-native is unavailable: ${result.reason}`);
  registerNativeBackend(result.addon);
};

/**
 * Sets the number of threads the addon computes on — 0 restores the default, `SPARSEVD_NATIVE_THREADS` when
 * set, else the machine's cores — and returns the number now used. Throws when the addon is unavailable.
 *
 * @example
 * ```ts
 * import { availability, setThreads } from '@sparsevd/backend-native';
 * const threads = availability().available ? setThreads(1) : 0; // 1 when the addon is built
 * ```
 */
export const setThreads = (n: number): number => {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`setThreads: n must be a non-negative integer, got ${n}`);
  const result = load();
  if ('reason' in result) throw new Error(`@sparsevd/backend-native is unavailable: ${result.reason}`);
  return result.addon.threads(n);
};
