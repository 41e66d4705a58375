// Stands in for the `test/backends.ts` of kl, estimators and layers when their tests run in Chromium
// (vitest.numerics.config.ts): the same two exports, on tfjs's `webgl` backend (SwiftShader in headless
// Chromium), with tfjs-core's gradients registered as a page registers them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';

/** The backends every tensor test runs on in the browser. */
export const BACKENDS = ['webgl'] as const;

/** Makes `name` the active backend, or fails the test with the reason. */
export const useBackend = async (name: string): Promise<void> => {
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend does not start in this browser`);
  await tf.ready();
  // Really WebGL, rendering float32 (SwiftShader does): the tests' float32 tolerances apply as stated.
  if (
    name === 'webgl' &&
    !(tf.env().getNumber('WEBGL_VERSION') >= 1 && tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'))
  )
    throw new Error('webgl started without WebGL float32 rendering');
};
