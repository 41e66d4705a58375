export { lenet5Caffe } from './lenet5-caffe.js';
export { lenet300100 } from './lenet300100.js';
export type { ReferenceModel } from './reference-model.js';
export type { ModelOptions, Variant } from './variant.js';
export { type VggOptions, vggLike } from './vgg-like.js';
