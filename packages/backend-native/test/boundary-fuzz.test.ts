import { describe, expect, it } from 'vitest';
import { type Addon, loadAddon } from '../src/addon.js';

// The N-API boundary: every addon function called with wrong types, short arrays, negative, fractional and
// huge sizes and wrong argument counts must throw a TypeError or RangeError that names the function — never
// crash, never write outside its arrays. Every array handed to the addon sits between canary regions of the
// same buffer, checked after every call, so a write past either end is caught even when the call "succeeds".
const loaded = loadAddon();
const required = process.env.CI === 'true';
const addon = 'addon' in loaded ? loaded.addon : undefined;

const CANARY = 16;
const SENTINEL = 12345.5;
const canaries: Array<() => boolean> = [];
/** A Float32Array of `n` elements inside a larger buffer whose margins hold a sentinel. */
const floats = (n: number): Float32Array => {
  const whole = new Float32Array(n + 2 * CANARY).fill(SENTINEL);
  const view = new Float32Array(whole.buffer, CANARY * 4, n);
  for (let i = 0; i < n; i += 1) view[i] = Math.sin(i + n) * 0.5;
  canaries.push(() => {
    for (let i = 0; i < CANARY; i += 1)
      if (whole[i] !== SENTINEL || whole[n + CANARY + i] !== SENTINEL) return false;
    return true;
  });
  return view;
};
const bytes = (n: number): Uint8Array => {
  const whole = new Uint8Array(n + 2 * CANARY).fill(0xab);
  const view = new Uint8Array(whole.buffer, CANARY, n);
  canaries.push(
    () =>
      whole.subarray(0, CANARY).every((b) => b === 0xab) &&
      whole.subarray(n + CANARY).every((b) => b === 0xab),
  );
  return view;
};

/**
 * How an argument may be broken. `size`: any other value contradicts the arrays, so every change must throw;
 * `upper`: a size whose smaller values are valid (sgemm works on a block of a larger array), larger must throw;
 * `free`: other values may be valid (a stride, a scale) and need only not crash; `array` / `optional`: a
 * typed array (optional ones also take null; `anyLength`: of any length); `sizes`: an array of integers whose every element is a size;
 * `geometry`: an array whose elements are sizes except at the given `free` positions.
 */
type Kind =
  | {
      readonly kind:
        | 'size'
        | 'upper'
        | 'free'
        | 'bool'
        | 'string'
        | 'array'
        | 'anyLength'
        | 'optional'
        | 'sizes'
        | 'frees';
    }
  | { readonly kind: 'geometry'; readonly free: ReadonlyArray<number> };
interface Case {
  readonly fn: keyof Addon;
  readonly label: string;
  readonly make: () => unknown[];
  readonly kinds: ReadonlyArray<Kind>;
}

const k = (kind: Exclude<Kind['kind'], 'geometry'>): Kind => ({ kind }) as Kind;
const S = k('size');
const U = k('upper');
const F = k('free');
const A = k('array');
const O = k('optional');
// Conv geometry (batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow): 4 × 4 × 2 input, 2 × 2 kernel, 3 × 3
// output; strides, dilations and paddings (positions 6–11) change where patches are read, not array sizes.
const GEOMETRY = [1, 4, 4, 2, 2, 2, 1, 1, 1, 1, 0, 0, 3, 3];
const IMAGE = 32;
const PATCHES = 72;
const FILTERS = 3;
const KERNEL = 2 * 2 * 2 * FILTERS;
const OUT = 9 * FILTERS;
const G: Kind = { kind: 'geometry', free: [6, 7, 8, 9, 10, 11] };
const POOL = [1, 4, 4, 2, 2, 2, 2, 2, 0, 0, 2, 2];
const POOL_KINDS = [S, S, S, S, F, F, F, F, F, F, S, S];

const CASES: Case[] = [
  {
    fn: 'sgemm',
    label: 'sgemm',
    make: () => [false, false, 3, 4, 5, 1, floats(15), 0, 5, floats(20), 0, 4, 0, floats(12), 0, 4],
    kinds: [k('bool'), k('bool'), U, U, U, F, A, U, U, A, U, U, F, A, U, U],
  },
  {
    fn: 'im2col',
    label: 'im2col',
    make: () => [...GEOMETRY, floats(IMAGE), floats(PATCHES)],
    kinds: [S, S, S, S, S, S, F, F, F, F, F, F, S, S, A, A],
  },
  {
    fn: 'conv2dSmall',
    label: 'conv2dSmall',
    make: () => [[...GEOMETRY], FILTERS, floats(IMAGE), floats(KERNEL), floats(OUT)],
    kinds: [G, S, A, A, A],
  },
  {
    fn: 'biasActivation',
    label: 'biasActivation',
    make: () => [floats(12), 3, 4, floats(4), 1],
    kinds: [A, S, S, O, F],
  },
  {
    fn: 'col2im',
    label: 'col2im',
    make: () => [...GEOMETRY, floats(PATCHES), floats(IMAGE)],
    kinds: [S, S, S, S, S, S, F, F, F, F, F, F, S, S, A, A],
  },
  {
    fn: 'binary',
    label: 'binary (float)',
    make: () => [0, floats(24), [0, 12, 4, 1], floats(4), [0, 0, 0, 1], floats(24), [1, 2, 3, 4]],
    kinds: [F, A, k('frees'), A, k('frees'), A, k('sizes')],
  },
  {
    fn: 'binary',
    label: 'binary (compare)',
    make: () => [3, floats(24), [0, 12, 4, 1], floats(24), [0, 12, 4, 1], bytes(24), [1, 2, 3, 4]],
    kinds: [F, A, k('frees'), A, k('frees'), F, k('sizes')],
  },
  { fn: 'unary', label: 'unary', make: () => [9, floats(10), floats(10), -0.5, 0.5], kinds: [F, A, A, F, F] },
  { fn: 'sumInner', label: 'sumInner', make: () => [floats(12), 3, 4, floats(3)], kinds: [A, S, S, A] },
  { fn: 'sumOuter', label: 'sumOuter', make: () => [floats(12), 3, 4, floats(4)], kinds: [A, S, S, A] },
  {
    fn: 'transpose2d',
    label: 'transpose2d',
    make: () => [floats(12), 3, 4, floats(12)],
    kinds: [A, S, S, A],
  },
  {
    fn: 'klOfWeights',
    label: 'klOfWeights',
    make: () => [floats(10), floats(10), 1e-8, -8, 8, floats(10), floats(10)],
    kinds: [A, A, F, F, F, O, O],
  },
  {
    fn: 'lrtDenseForward',
    label: 'lrtDenseForward',
    make: () => [
      floats(6),
      floats(12),
      floats(12),
      floats(8),
      floats(4),
      2,
      3,
      4,
      1e-8,
      floats(8),
      floats(8),
    ],
    kinds: [A, A, A, A, O, S, S, S, F, A, A],
  },
  {
    fn: 'lrtDenseGradInput',
    label: 'lrtDenseGradInput',
    make: () => [floats(6), floats(8), floats(8), floats(8), floats(12), floats(12), 2, 3, 4, floats(6)],
    kinds: [A, A, A, A, A, A, S, S, S, A],
  },
  {
    fn: 'lrtDenseGradLogSigma2',
    label: 'lrtDenseGradLogSigma2',
    make: () => [floats(6), floats(8), floats(8), floats(8), floats(12), 2, 3, 4, floats(12)],
    kinds: [A, A, A, A, A, S, S, S, A],
  },
  {
    fn: 'lrtConvForward',
    label: 'lrtConvForward',
    make: () => [
      [...GEOMETRY],
      floats(IMAGE),
      floats(KERNEL),
      floats(KERNEL),
      floats(OUT),
      floats(FILTERS),
      FILTERS,
      1e-8,
      floats(OUT),
      floats(OUT),
      floats(PATCHES),
      floats(PATCHES),
    ],
    kinds: [G, A, A, A, A, O, S, F, A, A, O, O],
  },
  {
    fn: 'lrtConvGradInput',
    label: 'lrtConvGradInput',
    make: () => [
      [...GEOMETRY],
      floats(IMAGE),
      floats(OUT),
      floats(OUT),
      floats(OUT),
      floats(KERNEL),
      floats(KERNEL),
      FILTERS,
      floats(IMAGE),
    ],
    kinds: [G, A, A, A, A, A, A, S, A],
  },
  {
    fn: 'lrtConvGradLogSigma2',
    label: 'lrtConvGradLogSigma2',
    make: () => [
      [...GEOMETRY],
      floats(IMAGE),
      floats(OUT),
      floats(OUT),
      floats(OUT),
      floats(KERNEL),
      FILTERS,
      floats(KERNEL),
      floats(PATCHES),
    ],
    kinds: [G, A, A, A, A, A, S, A, O],
  },
  {
    fn: 'unitNoiseKl',
    label: 'unitNoiseKl',
    make: () => [floats(10), floats(10), -20, 0, -20, 5, floats(10), floats(10), floats(10)],
    kinds: [A, A, F, F, F, F, A, A, A],
  },
  {
    fn: 'unitNoiseSample',
    label: 'unitNoiseSample',
    make: () => [
      floats(10),
      floats(10),
      -20,
      0,
      -20,
      5,
      floats(10),
      floats(10),
      floats(10),
      floats(10),
      floats(10),
    ],
    kinds: [A, A, F, F, F, F, A, A, A, A, A],
  },
  {
    fn: 'maskedTheta',
    label: 'maskedTheta',
    make: () => [floats(10), floats(10), 3, 1e-8, -8, 8, floats(10), floats(10)],
    kinds: [A, A, F, F, F, F, A, A],
  },
  {
    fn: 'adamUpdate',
    label: 'adamUpdate',
    make: () => [
      floats(10),
      floats(10),
      floats(10),
      floats(10),
      0.9,
      0.999,
      1e-7,
      1e-3,
      1,
      floats(10),
      floats(10),
      floats(10),
    ],
    kinds: [A, A, A, A, F, F, F, F, F, A, A, A],
  },
  {
    fn: 'randomNormal',
    label: 'randomNormal',
    make: () => ['7', 0, 1, floats(11)],
    kinds: [k('string'), F, F, k('anyLength')],
  },
  {
    fn: 'maxPool',
    label: 'maxPool',
    make: () => [...POOL, floats(IMAGE), floats(8)],
    kinds: [...POOL_KINDS, A, A],
  },
  {
    fn: 'maxPoolGrad',
    label: 'maxPoolGrad',
    make: () => [...POOL, floats(IMAGE), floats(8), floats(IMAGE)],
    kinds: [...POOL_KINDS, A, A, A],
  },
];

/** Values that are never a valid argument of the given kind (every one must throw). */
const BAD_NUMBERS: unknown[] = ['3', null, undefined, {}, [], true, 3n, Number.NaN, Number.POSITIVE_INFINITY];
const BAD_SIZES: unknown[] = [
  ...BAD_NUMBERS,
  -1,
  1.5,
  -(2 ** 40),
  2 ** 31,
  2 ** 40,
  2 ** 53,
  Number.MAX_VALUE,
];
const badArrays = (length: number): unknown[] => [
  'x',
  1,
  {},
  [1, 2, 3],
  new Float64Array(length),
  new Int32Array(length),
  new Uint8ClampedArray(length),
  floats(Math.max(0, length - 1)),
  floats(0),
  new DataView(new ArrayBuffer(4 * length)),
];
const badIntArrays = (length: number): unknown[] => [
  'x',
  5,
  new Array(length - 1).fill(1),
  [...new Array(length).fill(1), 1],
  floats(length),
];

/** Every way of breaking a call: [what, arguments, must it throw?]. */
const mutations = (c: Case): Array<[string, unknown[], boolean]> => {
  const base = c.make();
  const out: Array<[string, unknown[], boolean]> = [
    ['one argument too few', base.slice(0, -1), true],
    ['one argument too many', [...base, 0], true],
    ['no arguments', [], true],
  ];
  const at = (i: number, value: unknown) => {
    const args = c.make();
    args[i] = value;
    return args;
  };
  c.kinds.forEach((kind, i) => {
    const value = base[i];
    const name = `argument ${i}`;
    switch (kind.kind) {
      case 'size':
        for (const bad of [
          ...BAD_SIZES,
          (value as number) + 1,
          (value as number) * 2 + 1,
          (value as number) - 1,
        ])
          out.push([`${name} = ${String(bad)}`, at(i, bad), true]);
        break;
      case 'free':
        for (const bad of BAD_NUMBERS)
          out.push([`${name} = ${String(bad)}`, at(i, bad), typeof bad !== 'number']);
        for (const bad of [-1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), 0])
          out.push([`${name} = ${bad}`, at(i, bad), false]);
        break;
      case 'bool':
        for (const bad of [0, 1, 'true', null, undefined])
          out.push([`${name} = ${String(bad)}`, at(i, bad), true]);
        out.push([`${name} toggled`, at(i, !value), false]);
        break;
      case 'string':
        for (const bad of [7, null, undefined, {}, ['7']])
          out.push([`${name} = ${String(bad)}`, at(i, bad), true]);
        break;
      case 'array':
      case 'anyLength':
      case 'optional': {
        const length = (value as { length: number }).length;
        for (const bad of badArrays(length))
          out.push([
            `${name} = ${show(bad)}`,
            at(i, bad),
            kind.kind !== 'anyLength' || !(bad instanceof Float32Array),
          ]);
        if (kind.kind !== 'optional') out.push([`${name} = null`, at(i, null), true]);
        else out.push([`${name} = null (optional)`, at(i, null), false]);
        // Longer arrays are valid for some functions (sgemm's operands, randomNormal's output): no crash is the law.
        out.push([`${name} one longer`, at(i, floats(length + 1)), false]);
        break;
      }
      case 'sizes':
      case 'frees':
      case 'geometry': {
        const values = value as number[];
        for (const bad of badIntArrays(values.length)) out.push([`${name} = ${show(bad)}`, at(i, bad), true]);
        values.forEach((v, j) => {
          const sized = kind.kind === 'sizes' || (kind.kind === 'geometry' && !kind.free.includes(j));
          for (const bad of [-1, 1.5, Number.NaN, '1', 2 ** 31, 2 ** 40]) {
            const args = c.make();
            (args[i] as unknown[])[j] = bad;
            // A stride may be huge where its dimension has size 1 (it is never stepped along).
            const huge = typeof bad === 'number' && bad >= 2 ** 31;
            out.push([`${name}[${j}] = ${String(bad)}`, args, !(kind.kind === 'frees' && huge)]);
          }
          for (const bad of [v + 1, v * 3 + 2]) {
            const args = c.make();
            (args[i] as unknown[])[j] = bad;
            out.push([`${name}[${j}] = ${bad}`, args, sized]);
          }
        });
        break;
      }
    }
  });
  return out;
};

function show(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? '?'})`;
  if (Array.isArray(value)) return `[${value.length} items]`;
  return typeof value === 'object' ? '{}' : JSON.stringify(value);
}

describe.runIf(addon !== undefined || required)(
  'the addon validates every argument at the N-API boundary',
  () => {
    const counts = { calls: 0, thrown: 0, accepted: 0 };

    it.each(CASES)('$label: a valid call works', (c) => {
      if (addon === undefined)
        throw new Error(`the native addon is unavailable in CI: ${'reason' in loaded ? loaded.reason : ''}`);
      canaries.length = 0;
      expect(() => (addon[c.fn] as (...a: unknown[]) => unknown)(...c.make())).not.toThrow();
      expect(canaries.every((ok) => ok())).toBe(true);
    });

    it.each(CASES)(
      '$label: every broken call throws a named TypeError or RangeError and writes nowhere else',
      (c) => {
        if (addon === undefined) throw new Error('the native addon is unavailable');
        const fn = addon[c.fn] as (...a: unknown[]) => unknown;
        for (const [what, args, mustThrow] of mutations(c)) {
          canaries.length = 0;
          let thrown: unknown;
          try {
            fn(...args);
          } catch (error) {
            thrown = error;
          }
          counts.calls += 1;
          if (thrown === undefined) {
            counts.accepted += 1;
            expect(mustThrow, `${c.label}, ${what}: accepted`).toBe(false);
          } else {
            counts.thrown += 1;
            expect(
              thrown instanceof TypeError || thrown instanceof RangeError,
              `${c.label}, ${what}: ${String(thrown)}`,
            ).toBe(true);
            expect((thrown as Error).message, `${c.label}, ${what}`).toMatch(new RegExp(`^${c.fn}: `));
          }
          expect(
            canaries.every((ok) => ok()),
            `${c.label}, ${what}: wrote outside an array`,
          ).toBe(true);
        }
      },
    );

    it('threads() takes no argument or an integer in [0, 64]', () => {
      if (addon === undefined) throw new Error('the native addon is unavailable');
      const before = addon.threads();
      for (const bad of ['2', -1, 1.5, 65, Number.NaN, null, {}]) {
        expect(() => (addon.threads as (n: unknown) => number)(bad)).toThrow(/^threads: /);
        counts.calls += 1;
        counts.thrown += 1;
      }
      expect(() => (addon.threads as (a: number, b: number) => number)(1, 2)).toThrow(/^threads: /);
      expect(addon.threads(0)).toBe(before);
    });

    it('isa() takes no argument or the name of a version the CPU runs', () => {
      if (addon === undefined) throw new Error('the native addon is unavailable');
      const [active, widest] = addon.isa();
      for (const bad of [2, null, {}, 'avx1024', '', 'avx512'.repeat(4)]) {
        expect(() => (addon.isa as (n: unknown) => unknown)(bad)).toThrow(/^isa: /);
        counts.calls += 1;
        counts.thrown += 1;
      }
      expect(() => (addon.isa as (a: string, b: string) => unknown)('baseline', 'avx2')).toThrow(/^isa: /);
      if (widest !== 'avx512')
        expect(() => addon.isa('avx512')).toThrow(/^isa: this CPU cannot run "avx512"/);
      expect(addon.isa(active)[0]).toBe(active);
    });

    it('reports the counts (every must-throw call threw; the process lives)', () => {
      process.stderr.write(
        `boundary fuzz: ${counts.calls} calls, ${counts.thrown} threw a named TypeError/RangeError, ${counts.accepted} accepted (valid variations), no crash\n`,
      );
      expect(counts.calls).toBeGreaterThan(1000);
    });
  },
);
