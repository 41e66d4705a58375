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
 * Whether the addon was built and loads here, as `@sparsevd/backend` asks: when available, the BLAS it uses
 * and its threads; when not, the missing piece in one line (no compiler, no CBLAS, build failure).
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
      `${config[0] ?? 'OpenBLAS'} ${config[1] ?? ''} (${config.at(-2) ?? ''}), ${result.addon.threads()} threads`.trim(),
  };
};

/** Registers the tfjs backend named `native` (idempotent); throws when the addon is unavailable. */
export const registerBackend = (): void => {
  const result = load();
  if ('reason' in result) throw new Error(`@sparsevd/backend-native is unavailable: ${result.reason}`);
  registerNativeBackend(result.addon);
};
