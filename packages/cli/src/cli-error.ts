/** A failure the command reports in one line: `problem` `usage` (bad flags, exit 2) or `failure` (exit 1). */
export interface CliError {
  readonly _tag: 'CliError';
  readonly problem: 'usage' | 'failure';
  readonly message: string;
}

export const usageError = (message: string): CliError => ({ _tag: 'CliError', problem: 'usage', message });
export const failure = (message: string): CliError => ({ _tag: 'CliError', problem: 'failure', message });

/** The flags whose names are not the configuration option's in kebab case. */
const FLAG_OF: Readonly<Record<string, string>> = {
  klSchedule: 'kl-warmup',
  lrSchedule: 'lr-schedule',
  magnitude: 'magnitude-sparsity',
};

/**
 * A library message that starts with a configuration option (`batchSize: must be …`), in the flag's spelling
 * (`--batch-size: must be …`): the library speaks in its option names, the CLI in its flags.
 */
export const asFlagMessage = (message: string): string => {
  const match = /^([a-z][A-Za-z0-9]*): /.exec(message);
  if (match === null) return message;
  const option = match[1] as string;
  const flag = FLAG_OF[option] ?? option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return `--${flag}: ${message.slice(match[0].length)}`;
};
