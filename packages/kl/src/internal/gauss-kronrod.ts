// Adaptive Gauss–Kronrod (7-point Gauss, 15-point Kronrod) quadrature in float64, the rule of QUADPACK's
// QK15: each interval is integrated by both rules, and intervals whose two results differ by more than
// the tolerance are bisected. Nodes and weights are QUADPACK's, rounded to float64.

const XGK = [
  0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
  0.4058451513773972, 0.20778495500789848, 0,
];
const WGK = [
  0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
  0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
];
// Gauss weights for the Kronrod nodes XGK[1], XGK[3], XGK[5], XGK[7].
const WG = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694];

const rule = (f: (x: number) => number, a: number, b: number): { value: number; error: number } => {
  const center = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  const fc = f(center);
  let kronrod = fc * (WGK[7] as number);
  let gauss = fc * (WG[3] as number);
  for (let j = 0; j < 7; j += 1) {
    const dx = half * (XGK[j] as number);
    const pair = f(center - dx) + f(center + dx);
    kronrod += (WGK[j] as number) * pair;
    if (j % 2 === 1) gauss += (WG[(j - 1) / 2] as number) * pair;
  }
  return { value: kronrod * half, error: Math.abs((kronrod - gauss) * half) };
};

/**
 * ∫ f over [a, b], adaptively, to an absolute error of about `tolerance` (or the interval budget runs out,
 * which throws: the caller asked for more than float64 can give).
 */
export const integrate = (f: (x: number) => number, a: number, b: number, tolerance = 1e-13): number => {
  const stack: Array<[number, number, number]> = [[a, b, tolerance]];
  let total = 0;
  let intervals = 0;
  while (stack.length > 0) {
    const [lo, hi, tol] = stack.pop() as [number, number, number];
    const { value, error } = rule(f, lo, hi);
    intervals += 1;
    if (error <= tol || hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) {
      total += value;
    } else {
      if (intervals > 100_000) throw new Error(`integrate: no convergence on [${a}, ${b}]`);
      const mid = 0.5 * (lo + hi);
      stack.push([lo, mid, tol / 2], [mid, hi, tol / 2]);
    }
  }
  return total;
};

/** ∫ f over consecutive intervals between the sorted `points`. */
export const integrateOver = (
  f: (x: number) => number,
  points: ReadonlyArray<number>,
  tolerance = 1e-13,
): number => {
  let total = 0;
  for (let i = 0; i + 1 < points.length; i += 1) {
    const lo = points[i] as number;
    const hi = points[i + 1] as number;
    if (hi > lo) total += integrate(f, lo, hi, tolerance / (points.length - 1));
  }
  return total;
};
