import { type Addon, loadAddon, NATIVE_ISAS, type NativeIsa } from './addon.js';
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
 * its threads and the version of its vectorised kernels in use (with the widest the CPU runs when a narrower
 * one was chosen); when not, the missing piece in one line (no compiler, no CBLAS, build failure).
 */
export const availability = ():
  | { readonly available: true; readonly details: string }
  | { readonly available: false; readonly reason: string } => {
  const result = load();
  if ('reason' in result) return { available: false, reason: result.reason };
  // OpenBLAS's configuration reads "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64": its name,
  // version and the core it picked; Accelerate names itself.
  const config = result.addon.blasInfo().split(' ');
  const blas = config.length >= 3 ? `${config[0]} ${config[1]} (${config.at(-2)})` : config.join(' ');
  const [active, widest, description] = result.addon.isa();
  const capped = active === widest ? '' : ` (isa ${active}; the CPU runs up to ${widest})`;
  return {
    available: true,
    details: `${blas}, ${result.addon.threads()} threads, ${description} kernels${capped}`,
  };
};

const loadedAddon = (): Addon => {
  const result = load();
  if ('reason' in result) throw new Error(`@sparsevd/backend-native is unavailable: ${result.reason}`);
  return result.addon;
};

/**
 * The versions of the vectorised kernels this CPU runs, narrowest first (`['baseline', 'avx2', 'avx512']` on
 * an AVX-512 x86-64 CPU, `['baseline']` off x86-64); empty when the addon is unavailable.
 */
export const supportedIsas = (): ReadonlyArray<NativeIsa> => {
  const result = load();
  if ('reason' in result) return [];
  const widest = result.addon.isa()[1];
  return NATIVE_ISAS.slice(0, NATIVE_ISAS.indexOf(widest) + 1);
};

/**
 * Chooses the version of the vectorised kernels from the next kernel call on — `avx512` (AVX-512 + FMA),
 * `avx2` (AVX2 + FMA) or `baseline` — for testing and benchmarking a narrower version on a wider CPU; returns
 * the version now in use. Throws a RangeError for a name that is not a version or one the CPU cannot run, and
 * an Error when the addon is unavailable. OpenBLAS picks its own kernels (`OPENBLAS_CORETYPE` caps those).
 *
 * @example
 * ```ts
 * import { setIsa, supportedIsas } from '@sparsevd/backend-native';
 * const versions = supportedIsas(); // e.g. ['baseline', 'avx2', 'avx512']
 * if (versions.length > 0) setIsa('baseline'); // every CPU runs the baseline version
 * ```
 */
export const setIsa = (isa: NativeIsa): NativeIsa => {
  if (!(NATIVE_ISAS as ReadonlyArray<string>).includes(isa))
    throw new RangeError(`setIsa: isa must be one of ${NATIVE_ISAS.join(', ')}, got ${JSON.stringify(isa)}`);
  // The addon refuses a version above the CPU's (a RangeError naming the widest it runs).
  return loadedAddon().isa(isa)[0];
};

/** Options of {@link registerBackend}. */
export interface RegisterOptions {
  /**
   * The version of the vectorised kernels (see {@link setIsa}); by default the widest this CPU runs. Never
   * above what the CPU runs.
   */
  readonly isa?: NativeIsa;
}

/**
 * Registers the tfjs backend named `native` (idempotent) and, with `isa`, chooses the version of its
 * vectorised kernels; throws when the addon is unavailable or the CPU cannot run that version.
 */
export const registerBackend = (options: RegisterOptions = {}): void => {
  const addon = loadedAddon();
  if (options.isa !== undefined) setIsa(options.isa);
  registerNativeBackend(addon);
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
  return loadedAddon().threads(n);
};
