// Type side of generated/tfjs-gradients.js (built by scripts/bundle-gradients.mjs): a side-effect module
// that registers every gradient of @tensorflow/tfjs-core into tfjs's global gradient registry.
export {};
