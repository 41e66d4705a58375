/**
 * What `@sparsevd/backend-native` (the project's native CPU accelerator) exports, as `@sparsevd/backend`
 * expects it. The package is optional: when it is absent, or reports itself unavailable (no compiler or no
 * CBLAS when it was installed), `auto` moves on to `wasm` with the reason.
 */
export interface NativeAcceleratorModule {
  /** The package version. */
  readonly version: string;
  /** Whether the addon was built and loads here; when not, the missing piece in one line. */
  readonly availability: () =>
    | { readonly available: true; readonly details: string }
    | { readonly available: false; readonly reason: string };
  /**
   * Registers the tfjs backend named `"native"` (idempotent); `isa` chooses the version of its vectorised
   * kernels (`avx512`, `avx2`, `baseline`) and throws when the CPU cannot run it.
   */
  readonly registerBackend: (options?: { readonly isa?: string }) => void;
}

/** Checks at run time that a loaded module has the shape of {@link NativeAcceleratorModule}. */
export const isNativeAcceleratorModule = (value: unknown): value is NativeAcceleratorModule => {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.version === 'string' &&
    typeof candidate.availability === 'function' &&
    typeof candidate.registerBackend === 'function'
  );
};
