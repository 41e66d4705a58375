import { selectBackend } from '@sparsevd/backend';
import * as E from 'fp-ts/lib/Either.js';

/** The backends every tensor test runs on: both install everywhere. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** Makes `name` the active backend (with gradients registered), or fails the test with the reason. */
export const useBackend = async (name: (typeof BACKENDS)[number]): Promise<void> => {
  const result = await selectBackend({ backend: name, env: {} })();
  if (E.isLeft(result)) throw new Error(result.left.message);
};
