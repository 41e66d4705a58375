#!/usr/bin/env node
import * as E from 'fp-ts/lib/Either.js';
import { formatBackendReport } from './format-report.js';
import { parseBackendChoice } from './parse-backend-choice.js';
import { selectBackend } from './select-backend.js';

/**
 * `sparsevd-backend [--backend auto|cuda|tensorflow|native|wasm|cpu] [--json]`: chooses a backend as
 * `selectBackend` does and prints which one runs and why the others were passed over.
 * Exit codes: 0 started, 1 the backend cannot run, 2 bad arguments.
 */
const USAGE = 'usage: sparsevd-backend [--backend auto|cuda|tensorflow|native|wasm|cpu] [--json]';

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  let backendFlag: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--backend') backendFlag = argv[++i] ?? '';
    else if (arg?.startsWith('--backend=')) backendFlag = arg.slice('--backend='.length);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else {
      process.stderr.write(`sparsevd-backend: unknown argument "${arg}"\n${USAGE}\n`);
      return 2;
    }
  }
  const choice =
    backendFlag === undefined ? E.right(undefined) : parseBackendChoice(backendFlag, '--backend');
  if (E.isLeft(choice)) {
    process.stderr.write(`sparsevd-backend: ${choice.left.message}\n`);
    return 2;
  }
  const result = await selectBackend(choice.right === undefined ? {} : { backend: choice.right })();
  if (E.isLeft(result)) {
    process.stderr.write(`sparsevd-backend: ${result.left.message}\n`);
    return result.left._tag === 'InvalidChoice' ? 2 : 1;
  }
  process.stdout.write(
    `${json ? JSON.stringify(result.right, null, 2) : formatBackendReport(result.right)}\n`,
  );
  return 0;
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sparsevd-backend: unexpected failure: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
