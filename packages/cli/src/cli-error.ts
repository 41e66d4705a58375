/** A failure the command reports in one line: `usage` (bad flags, exit 2) or `failure` (exit 1). */
export interface CliError {
  readonly _tag: 'CliError';
  readonly kind: 'usage' | 'failure';
  readonly message: string;
}

export const usageError = (message: string): CliError => ({ _tag: 'CliError', kind: 'usage', message });
export const failure = (message: string): CliError => ({ _tag: 'CliError', kind: 'failure', message });
