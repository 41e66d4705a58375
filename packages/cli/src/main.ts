import * as E from 'fp-ts/lib/Either.js';
import type { CliError } from './cli-error.js';
import { evalCommand, exportCommand, reportCommand, resumeCommand } from './commands/dir-commands.js';
import { evalExportCommand, exportKind } from './commands/eval-export.js';
import { exportPackedCommand } from './commands/export-packed.js';
import { exportTfjsCommand } from './commands/export-tfjs.js';
import { type Io, trainCommand } from './commands/train.js';
import { parseCommand, USAGE } from './flags.js';

/**
 * Runs the `sparsevd` command line and returns its exit code: 0 done, 1 a failure (named in one line),
 * 2 bad usage (one line, no stack trace), 130 interrupted after saving a checkpoint.
 */
export const run = async (
  argv: ReadonlyArray<string>,
  io: Io = { out: (t) => process.stdout.write(t), err: process.stderr },
): Promise<number> => {
  const parsed = parseCommand(argv);
  if (E.isLeft(parsed)) {
    io.err.write(`sparsevd: ${parsed.left.message}\n(sparsevd --help for usage)\n`);
    return 2;
  }
  const command = parsed.right;
  let result: E.Either<CliError, number>;
  switch (command.name) {
    case 'help':
      io.out(`${USAGE}\n`);
      return 0;
    case 'train':
      result = await trainCommand(command.config, command.backend, command.out, io);
      break;
    case 'resume':
      result = await resumeCommand(command.dir, command.backend, io);
      break;
    case 'eval': {
      // A run directory, or an export: a sparse file or a stock tfjs model directory.
      const kind = await exportKind(command.dir);
      result =
        kind === 'sparse' || kind === 'tfjs'
          ? await evalExportCommand(command.dir, kind, command.backend, io)
          : await evalCommand(command.dir, command.backend, io);
      break;
    }
    case 'export':
      result =
        command.format === 'tfjs' || command.format === 'tfjs-graph'
          ? await exportTfjsCommand(
              command.dir,
              command.backend,
              command.quantize,
              command.out as string,
              io,
              command.format === 'tfjs-graph' ? 'graph' : 'layers',
            )
          : command.format === 'spvd'
            ? await exportPackedCommand(
                command.dir,
                command.backend,
                {
                  ...(command.bits === undefined ? {} : { bits: command.bits }),
                  ...(command.errorBudget === undefined ? {} : { errorBudget: command.errorBudget }),
                  out: command.out,
                },
                io,
              )
            : await exportCommand(
                command.dir,
                command.backend,
                command.quantize as 8 | undefined,
                command.out,
                io,
              );
      break;
    case 'report':
      result = await reportCommand(command.dir, io);
      break;
  }
  if (E.isLeft(result)) {
    io.err.write(
      `sparsevd: ${result.left.message}\n${result.left.problem === 'usage' ? '(sparsevd --help for usage)\n' : ''}`,
    );
    return result.left.problem === 'usage' ? 2 : 1;
  }
  return result.right;
};
