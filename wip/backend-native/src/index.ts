export type { Addon } from './addon.js';
export { availability, registerBackend, version } from './native-module.js';
export { BACKEND_NAME, NATIVE_KERNELS } from './register-backend.js';
