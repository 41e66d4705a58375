/**
 * Side-effect entry point: `import '@sparsevd/backend/register-gradients'` registers every tfjs-core
 * gradient (see {@link registerGradients} in `gradients.ts` for why this is needed under plain Node).
 */
import '../generated/tfjs-gradients.js';
