/**
 * The backends sparsevd can run on, in the order `auto` tries them.
 *
 * - `cuda`: `@tensorflow/tfjs-node-gpu` with a usable CUDA device.
 * - `tensorflow`: `@tensorflow/tfjs-node` (libtensorflow on the CPU).
 * - `native`: the project's own accelerator, `@sparsevd/backend-native`.
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (always installed with this package).
 * - `cpu`: `@tensorflow/tfjs-backend-cpu`, plain JavaScript (always installed).
 */
export type BackendName = 'cuda' | 'tensorflow' | 'native' | 'wasm' | 'cpu';

/** A backend name, or `auto` for the first one of {@link BACKEND_ORDER} that starts. */
export type BackendChoice = BackendName | 'auto';

/** The order in which `auto` tries the backends: fastest first, the always-available ones last. */
export const BACKEND_ORDER: ReadonlyArray<BackendName> = ['cuda', 'tensorflow', 'native', 'wasm', 'cpu'];

/** Every accepted value of a backend choice (a flag, an option, `SPARSEVD_BACKEND`). */
export const BACKEND_CHOICES: ReadonlyArray<BackendChoice> = ['auto', ...BACKEND_ORDER];
