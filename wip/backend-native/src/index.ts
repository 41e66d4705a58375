export type { Addon } from './addon.js';
export { BACKEND_NAME, NATIVE_KERNELS } from './register-backend.js';
export { availability, registerBackend, version } from './native-module.js';
