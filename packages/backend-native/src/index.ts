export type { Addon, NativeIsa } from './addon.js';
export { NATIVE_ISAS } from './addon.js';
export { FUSED_KERNEL_NAMES } from './kernels/fused.js';
export type { RegisterOptions } from './native-module.js';
export {
  availability,
  registerBackend,
  setIsa,
  setThreads,
  supportedIsas,
  version,
} from './native-module.js';
export { BACKEND_NAME, NATIVE_KERNELS } from './register-backend.js';
