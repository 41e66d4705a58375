/** The totals of per-layer weight counts: what every sparsity report ends with. */
export const withTotals = <L extends { readonly weights: number; readonly kept: number }>(
  layers: ReadonlyArray<L>,
): {
  readonly layers: ReadonlyArray<L>;
  readonly totalWeights: number;
  readonly keptWeights: number;
  readonly compression: number | null;
  readonly allRemoved: boolean;
} => {
  const totalWeights = layers.reduce((s, l) => s + l.weights, 0);
  const keptWeights = layers.reduce((s, l) => s + l.kept, 0);
  return {
    layers,
    totalWeights,
    keptWeights,
    compression: keptWeights === 0 ? null : totalWeights / keptWeights,
    allRemoved: keptWeights === 0 && totalWeights > 0,
  };
};
