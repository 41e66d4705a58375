/**
 * The contract of one fused kernel: the tfjs kernel name a backend registers it under, the names of its tensor
 * inputs (required, then optional) and of its attributes, and how many tensors it returns. Callers and
 * backends both read it, so neither spells a name or an input by hand; the types carry the inputs and
 * attributes into the caller's {@link FusedOp} and the backend's reader.
 *
 * @typeParam I - the input names.
 * @typeParam A - the attributes, by name, with their types.
 */
export interface FusedKernel<I extends string, A extends object> {
  /** The kernel name in tfjs's registry (`tf.registerKernel`). */
  readonly name: string;
  /** The tensor inputs every call passes, in order. */
  readonly inputs: ReadonlyArray<I>;
  /** The tensor inputs a call may leave out (for example a bias). */
  readonly optionalInputs: ReadonlyArray<I>;
  /** The attribute names, in order. */
  readonly attrs: ReadonlyArray<keyof A & string>;
  /** How many tensors the kernel returns. */
  readonly outputs: number;
}

/** The tensors of a call to a {@link FusedKernel}: required inputs present, optional ones possibly absent. */
export type FusedInputs<I extends string, T> = { readonly [K in I]?: T | undefined };

/**
 * Declares a fused kernel's contract (see {@link FusedKernel}); `optionalInputs` defaults to none.
 *
 * @example
 * ```ts
 * import { fusedKernel } from '@sparsevd/kernels';
 * const scale = fusedKernel<'x', { factor: number }>({ name: 'MyScale', inputs: ['x'], attrs: ['factor'], outputs: 1 });
 * ```
 */
export const fusedKernel = <I extends string, A extends object>(spec: {
  readonly name: string;
  readonly inputs: ReadonlyArray<I>;
  readonly optionalInputs?: ReadonlyArray<I>;
  readonly attrs: ReadonlyArray<keyof A & string>;
  readonly outputs: number;
}): FusedKernel<I, A> => ({
  name: spec.name,
  inputs: spec.inputs,
  optionalInputs: spec.optionalInputs ?? [],
  attrs: spec.attrs,
  outputs: spec.outputs,
});
