import * as E from 'fp-ts/lib/Either.js';
import type { BackendError } from './backend-error.js';
import { BACKEND_CHOICES, type BackendChoice } from './backend-name.js';

/**
 * Parses a backend choice from user input (a CLI flag or the `SPARSEVD_BACKEND` variable).
 *
 * @param value - the raw text; surrounding white space and letter case are ignored.
 * @param source - where the text came from, named in the error (for example `"SPARSEVD_BACKEND"`).
 * @returns the choice, or an `InvalidChoice` error that lists the accepted values.
 */
export const parseBackendChoice = (value: string, source: string): E.Either<BackendError, BackendChoice> => {
  const normalized = value.trim().toLowerCase();
  const found = BACKEND_CHOICES.find((choice) => choice === normalized);
  return found === undefined
    ? E.left({
        _tag: 'InvalidChoice',
        source,
        value,
        message: `${source}: unknown backend "${value}"; expected one of ${BACKEND_CHOICES.join(', ')}`,
      })
    : E.right(found);
};
