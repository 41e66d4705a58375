import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuLine } from '../src/machine.js';

describe('cpuLine', () => {
  it('names the CPU, its family and model, the widest vector instruction set and the logical CPUs', () => {
    const cpuinfo = [
      'processor\t: 0',
      'model name\t: AMD EPYC 9B45',
      'cpu family\t: 26',
      'model\t\t: 2',
      'flags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw',
    ].join('\n');
    expect(cpuLine(cpuinfo)).toBe(`AMD EPYC 9B45 (family 26 model 2, AVX-512, ${cpus().length} CPUs)`);
    expect(cpuLine(cpuinfo.replace(' avx512f avx512bw', ''))).toContain('model 2, AVX2,');
    expect(cpuLine('model name\t: Old CPU\nflags\t: sse2')).toBe(`Old CPU (${cpus().length} CPUs)`);
  });
});
