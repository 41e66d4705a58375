export type { CliError } from './cli-error.js';
export { INTERRUPTED, type Io, runTraining } from './commands/train.js';
export { type Command, parseCommand, USAGE } from './flags.js';
export { cpuLine, machineLine } from './machine.js';
export { run } from './main.js';
export { firstLayerChart, logAlphaChart, renderSvg, trainingChart } from './plots.js';
export { epochLine, progressReporter } from './progress.js';
export { defaultRunDir, runFiles } from './run-dir.js';
export { summaryTable } from './summary.js';
