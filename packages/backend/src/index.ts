export type {
  BackendError,
  BackendUnavailableError,
  InvalidChoiceError,
  NoBackendError,
} from './backend-error.js';
export type { BackendInfo, PassedOver } from './backend-info.js';
export { BACKEND_CHOICES, BACKEND_ORDER, type BackendChoice, type BackendName } from './backend-name.js';
export { describeBackend, formatBackendReport } from './format-report.js';
export { missingGradients, registerGradients, TRAINING_KERNELS } from './gradients.js';
export { describeError, importModule, loadOptional, type ModuleLoader } from './module-loader.js';
export { isNativeAcceleratorModule, type NativeAcceleratorModule } from './native-contract.js';
export { parseBackendChoice } from './parse-backend-choice.js';
export { type BackendProbes, defaultProbes, probeCudaDevice } from './probes.js';
export {
  BACKEND_ENV_VAR,
  NATIVE_ISA_ENV_VAR,
  type SelectBackendOptions,
  selectBackend,
} from './select-backend.js';
