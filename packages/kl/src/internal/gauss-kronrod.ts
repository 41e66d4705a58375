// Adaptive Gauss–Kronrod (7-point Gauss, 15-point Kronrod) quadrature in float64, the rule of QUADPACK's
// QK15: each interval is integrated by both rules, and intervals whose two results differ by more than
// the tolerance are bisected.

const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
  0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
  0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204,
  0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
  0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
// Gauss weights for the Kronrod nodes XGK[1], XGK[3], XGK[5], XGK[7].
const WG = [
  0.129484966168869693270611432679082, 0.27970539148927666790146777142378,
  0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
];

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
