import * as E from 'fp-ts/lib/Either.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type BackendInfo, type SelectBackendOptions, selectBackend } from '../src/index.js';
import { fakeBackendModule, fakeLoader, notFound, removeFakeBackends } from './helpers.js';

const run = async (options: SelectBackendOptions) => selectBackend({ env: {}, ...options })();

const right = async (options: SelectBackendOptions): Promise<BackendInfo> => {
  const result = await run(options);
  if (E.isLeft(result)) throw new Error(`expected a backend, got: ${result.left.message}`);
  return result.right;
};

const tfjsNodeGpu = fakeBackendModule('tensorflow', { version: { 'tfjs-node': '4.22.0' } });
const tfjsNode = fakeBackendModule('tensorflow', { version: { 'tfjs-node': '4.22.0' } });
const gpuFound = { cudaDevice: () => async () => E.right('NVIDIA H100 80GB HBM3') };
const noGpu = {
  cudaDevice: () => async () => E.left('no CUDA device: libtensorflow found no usable GPU'),
};

afterEach(removeFakeBackends);

describe('selectBackend with auto', () => {
  it('falls through to wasm when no optional package is installed, and says why', async () => {
    const info = await right({ loader: fakeLoader({}) });
    expect(info.backend).toBe('wasm');
    expect(info.requested).toBe('auto');
    expect(info.passedOver).toEqual([
      { backend: 'cuda', reason: '@tensorflow/tfjs-node-gpu not installed' },
      { backend: 'tensorflow', reason: '@tensorflow/tfjs-node not installed' },
      { backend: 'native', reason: '@sparsevd/backend-native not installed' },
    ]);
    expect(info.wasm?.simd).toBe(true);
  });

  it('chooses CUDA only when tfjs-node-gpu loads and the probe finds a device', async () => {
    const info = await right({
      loader: fakeLoader({ '@tensorflow/tfjs-node-gpu': tfjsNodeGpu }),
      probes: gpuFound,
    });
    expect(info.backend).toBe('cuda');
    expect(info.tfjsBackend).toBe('tensorflow');
    expect(info.cuda).toEqual({ device: 'NVIDIA H100 80GB HBM3' });
    expect(info.version).toBe('4.22.0');
    expect(info.passedOver).toEqual([]);
  });

  it('passes over tfjs-node-gpu when it is installed but there is no GPU', async () => {
    const info = await right({
      loader: fakeLoader({ '@tensorflow/tfjs-node-gpu': tfjsNodeGpu, '@tensorflow/tfjs-node': tfjsNode }),
      probes: noGpu,
    });
    expect(info.backend).toBe('tensorflow');
    expect(info.passedOver).toEqual([
      { backend: 'cuda', reason: 'no CUDA device: libtensorflow found no usable GPU' },
    ]);
  });

  it('passes over a package whose loading throws, with the error', async () => {
    const info = await right({
      loader: fakeLoader({
        '@tensorflow/tfjs-node': new Error('libtensorflow.so.2: cannot open shared object file'),
      }),
    });
    expect(info.backend).toBe('wasm');
    expect(info.passedOver[1]).toEqual({
      backend: 'tensorflow',
      reason: '@tensorflow/tfjs-node failed to load: libtensorflow.so.2: cannot open shared object file',
    });
  });

  it('treats a missing dependency of an installed package as a broken install, not "not installed"', async () => {
    const info = await right({
      loader: fakeLoader({ '@tensorflow/tfjs-node': notFound('@mapbox/node-pre-gyp') }),
    });
    expect(info.passedOver[1]?.reason).toMatch(
      /^@tensorflow\/tfjs-node failed to load: Cannot find package '@mapbox/,
    );
  });

  it('uses the native accelerator when it is installed and available', async () => {
    const native = fakeBackendModule('native', {
      version: '0.1.0',
      availability: () => ({ available: true, details: 'OpenBLAS, 2 threads' }),
      registerBackend: () => undefined,
    });
    const info = await right({ loader: fakeLoader({ '@sparsevd/backend-native': native }) });
    expect(info.backend).toBe('native');
    expect(info.native).toEqual({ details: 'OpenBLAS, 2 threads' });
    expect(info.passedOver.map((p) => p.backend)).toEqual(['cuda', 'tensorflow']);
  });

  it('passes the kernel version (option, else SPARSEVD_NATIVE_ISA) to the native accelerator and reports it', async () => {
    const asked: Array<string | undefined> = [];
    const native = (name: string) => {
      let isa = 'avx512';
      return fakeBackendModule(name, {
        version: '0.1.0',
        availability: () => ({ available: true, details: `OpenBLAS, 2 threads, ${isa} kernels` }),
        registerBackend: (options?: { isa?: string }) => {
          asked.push(options?.isa);
          if (options?.isa === 'avx1024') throw new RangeError('setIsa: this CPU cannot run "avx1024"');
          if (options?.isa !== undefined) isa = options.isa;
        },
      });
    };
    const viaEnv = await right({
      env: { SPARSEVD_NATIVE_ISA: 'avx2' },
      loader: fakeLoader({ '@sparsevd/backend-native': native('native') }),
    });
    expect(viaEnv.native).toEqual({ details: 'OpenBLAS, 2 threads, avx2 kernels' });
    const viaOption = await right({
      nativeIsa: 'baseline',
      env: { SPARSEVD_NATIVE_ISA: 'avx2' },
      loader: fakeLoader({ '@sparsevd/backend-native': native('native') }),
    });
    expect(viaOption.native).toEqual({ details: 'OpenBLAS, 2 threads, baseline kernels' });
    const refused = await run({
      backend: 'native',
      nativeIsa: 'avx1024',
      loader: fakeLoader({ '@sparsevd/backend-native': native('native') }),
    });
    expect(E.isLeft(refused) && refused.left.message).toMatch(/failed to register: .*cannot run "avx1024"/);
    expect(asked).toEqual(['avx2', 'baseline', 'avx1024']);
  });

  it('passes over a native accelerator that reports itself unavailable, naming the missing piece', async () => {
    const native = () => ({
      version: '0.1.0',
      availability: () => ({
        available: false,
        reason: 'built without CBLAS (apt-get install libopenblas-dev)',
      }),
      registerBackend: () => undefined,
    });
    const info = await right({ loader: fakeLoader({ '@sparsevd/backend-native': native }) });
    expect(info.backend).toBe('wasm');
    expect(info.passedOver[2]).toEqual({
      backend: 'native',
      reason: '@sparsevd/backend-native unavailable: built without CBLAS (apt-get install libopenblas-dev)',
    });
  });

  it('rejects a native module of the wrong shape', async () => {
    const info = await right({ loader: fakeLoader({ '@sparsevd/backend-native': () => ({ hello: 1 }) }) });
    expect(info.passedOver[2]?.reason).toMatch(/does not export version, availability and registerBackend/);
  });

  it('really loads the optional packages with the default loader (they are not installed here)', async () => {
    const info = await right({});
    expect(['cuda', 'tensorflow', 'native', 'wasm']).toContain(info.backend);
    for (const passed of info.passedOver)
      expect(passed.reason).toMatch(/not installed|no CUDA device|unavailable/);
  });
});

describe('selectBackend with an explicit choice', () => {
  it('is a Left naming the missing package and how to install it, never a fallback', async () => {
    const result = await run({ backend: 'cuda', loader: fakeLoader({}) });
    expect(E.isLeft(result) && result.left).toMatchObject({
      _tag: 'BackendUnavailable',
      backend: 'cuda',
      reason: '@tensorflow/tfjs-node-gpu not installed',
    });
    if (E.isLeft(result))
      expect(result.left.message).toMatch(/npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
  });

  it('is a Left when CUDA is asked for and the package loads but finds no GPU', async () => {
    const result = await run({
      backend: 'cuda',
      loader: fakeLoader({ '@tensorflow/tfjs-node-gpu': tfjsNodeGpu }),
      probes: noGpu,
    });
    expect(E.isLeft(result) && result.left.message).toMatch(
      /^backend "cuda" was asked for but cannot run: no CUDA device/,
    );
  });

  it('reads SPARSEVD_BACKEND, and the option wins over it', async () => {
    expect((await right({ env: { SPARSEVD_BACKEND: 'CPU ' }, loader: fakeLoader({}) })).backend).toBe('cpu');
    const both = await right({ backend: 'wasm', env: { SPARSEVD_BACKEND: 'cpu' }, loader: fakeLoader({}) });
    expect(both.backend).toBe('wasm');
    expect(both.requested).toBe('wasm');
  });

  it('rejects an unknown backend name, naming where it came from', async () => {
    const result = await run({ env: { SPARSEVD_BACKEND: 'gpu' } });
    expect(E.isLeft(result) && result.left).toMatchObject({
      _tag: 'InvalidChoice',
      source: 'SPARSEVD_BACKEND',
    });
    const bad = await run({ backend: 'tpu' as never });
    expect(E.isLeft(bad) && bad.left.message).toMatch(/unknown backend "tpu"; expected one of auto, cuda/);
  });
});
