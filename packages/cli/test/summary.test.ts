import type { BackendInfo } from '@sparsevd/backend';
import { describe, expect, it } from 'vitest';
import { backendLine } from '../src/summary.js';

const base = { version: '0.1.0', coreVersion: '4.22.0', requested: 'auto', passedOver: [] } as const;

describe('backendLine', () => {
  it('names the native kernels version the run used, and wasm its SIMD and threads', () => {
    const native = {
      ...base,
      backend: 'native',
      tfjsBackend: 'native',
      native: {
        details:
          'OpenBLAS 0.3.21 (Haswell), 2 threads, AVX2 + FMA kernels (isa avx2; the CPU runs up to avx512)',
      },
    } as BackendInfo;
    expect(backendLine(native)).toBe(
      'native (OpenBLAS 0.3.21 (Haswell), 2 threads, AVX2 + FMA kernels (isa avx2; the CPU runs up to avx512))',
    );
    const wasm = {
      ...base,
      backend: 'wasm',
      tfjsBackend: 'wasm',
      wasm: { simd: true, threads: false, threadCount: 1 },
    } as BackendInfo;
    expect(backendLine(wasm)).toBe('wasm (SIMD on, 1 thread)');
  });
});
