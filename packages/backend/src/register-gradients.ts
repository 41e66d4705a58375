/**
 * Side-effect entry point: `import '@sparsevd/backend/register-gradients'` registers every tfjs-core
 * gradient (see {@link registerGradients} in `gradients.ts` for why this is needed under plain Node).
 *
 * tfjs-core itself is imported first, whatever the importer's order: the bundled gradients carry a copy of
 * core's Tensor class, and tfjs keeps the first Tensor class registered globally, which must be the real one.
 */
import '@tensorflow/tfjs-core';
import '../generated/tfjs-gradients.js';
