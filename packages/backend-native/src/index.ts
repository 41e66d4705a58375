export type { Addon } from './addon.js';
export { FUSED_KERNEL_NAMES } from './kernels/fused.js';
export { availability, registerBackend, setThreads, version } from './native-module.js';
export { BACKEND_NAME, NATIVE_KERNELS } from './register-backend.js';
