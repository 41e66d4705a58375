import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * The CPU as a person names it: model name, family and model (Linux), the widest vector instruction set it has
 * (AVX-512, AVX2 or neither) and the number of logical CPUs; `os.cpus()` where `/proc/cpuinfo` cannot be read.
 */
export const cpuLine = (cpuinfo: string | undefined = readCpuinfo()): string => {
  const field = (name: string) => cpuinfo?.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
  const name = field('model name') ?? cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const family = field('cpu family');
  const model = field('model');
  const flags = field('flags') ?? '';
  const isa = /\bavx512f\b/.test(flags) ? 'AVX-512' : /\bavx2\b/.test(flags) ? 'AVX2' : undefined;
  const parts = [
    ...(family === undefined || model === undefined ? [] : [`family ${family} model ${model}`]),
    ...(isa === undefined ? [] : [isa]),
    `${cpus().length} CPUs`,
  ];
  return `${name} (${parts.join(', ')})`;
};

const readCpuinfo = (): string | undefined => {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
};

/** The machine of a run: the CPU ({@link cpuLine}) and the backend as the summary names it. */
export const machineLine = (backend: string): string => `${cpuLine()} · ${backend}`;
