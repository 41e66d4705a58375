// SVG markup for the page's charts, as pure functions of the numbers (tested in Node).

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 3 : 1));

/** One series of a line chart: its points and colour, on the left or the right axis. */
export interface Series {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly color: string;
  readonly axis: 'left' | 'right';
  /** A log scale on its axis (for compression, which grows by orders of magnitude). */
  readonly log?: boolean;
}

const range = (values: number[], log: boolean): [number, number] => {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (finite.length === 0) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (log) return [Math.min(1, lo), Math.max(hi * 1.2, lo * 10)];
  lo = Math.min(0, lo);
  if (hi === lo) hi = lo + 1;
  return [lo, hi * 1.1];
};

/** A line chart of up to two axes over x in [0, xMax]. */
export const lineChart = (
  series: ReadonlyArray<Series>,
  options: {
    readonly width: number;
    readonly height: number;
    readonly xMax: number;
    readonly xLabel: string;
  },
): string => {
  const { width, height, xMax, xLabel } = options;
  const pad = { l: 48, r: 48, t: 16, b: 34 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const x = (v: number) => pad.l + (w * v) / Math.max(xMax, 1e-9);
  const parts: string[] = [
    `<rect x="${pad.l}" y="${pad.t}" width="${w}" height="${h}" fill="none" stroke="#ccd"/>`,
    `<text x="${pad.l + w / 2}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}</text>`,
  ];
  const every = Math.max(1, Math.ceil(xMax / 10));
  for (let t = 0; t <= xMax; t += every)
    parts.push(`<text x="${x(t).toFixed(1)}" y="${pad.t + h + 13}" text-anchor="middle">${t}</text>`);
  for (const axis of ['left', 'right'] as const) {
    const on = series.filter((s) => s.axis === axis);
    if (on.length === 0) continue;
    const log = on.some((s) => s.log === true);
    const [lo, hi] = range(
      on.flatMap((s) => s.points.map(([, v]) => v)),
      log,
    );
    const y = (v: number) =>
      log
        ? pad.t + h - (h * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo))
        : pad.t + h - (h * (v - lo)) / (hi - lo);
    const ax = axis === 'left' ? pad.l - 4 : pad.l + w + 4;
    for (const t of [lo, log ? Math.sqrt(lo * hi) : (lo + hi) / 2, hi])
      parts.push(
        `<text x="${ax}" y="${y(t) + 4}" text-anchor="${axis === 'left' ? 'end' : 'start'}">${fmt(t)}</text>`,
      );
    for (const s of on) {
      const pts = s.points.filter(([, v]) => Number.isFinite(v));
      if (pts.length > 0)
        parts.push(
          `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`,
        );
      for (const [a, b] of pts.length <= 60 ? pts : [])
        parts.push(`<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    }
  }
  series.forEach((s, i) => {
    parts.push(
      `<rect x="${pad.l + 8 + i * 150}" y="${pad.t + 6}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${pad.l + 22 + i * 150}" y="${pad.t + 15}">${esc(s.name)}</text>`,
    );
  });
  return parts.join('');
};

/** A histogram with a vertical line at `marker` (the log α threshold); counts on a log scale. */
export const histogramChart = (
  edges: ReadonlyArray<number>,
  counts: ReadonlyArray<number>,
  marker: number,
  options: { readonly width: number; readonly height: number },
): string => {
  const { width, height } = options;
  if (counts.length === 0 || edges.length !== counts.length + 1) return '';
  const pad = { l: 8, r: 8, t: 10, b: 28 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const lo = edges[0] as number;
  const hi = edges[edges.length - 1] as number;
  const x = (v: number) => pad.l + (w * (v - lo)) / (hi - lo);
  const top = Math.log10(Math.max(...counts, 1) + 1);
  const parts = counts.map((c, i) => {
    const bh = c === 0 ? 0 : (h * Math.log10(c + 1)) / top;
    const a = x(edges[i] as number);
    const b = x(edges[i + 1] as number);
    const kept = (edges[i + 1] as number) <= marker;
    return `<rect x="${a.toFixed(1)}" y="${(pad.t + h - bh).toFixed(1)}" width="${Math.max(b - a - 0.5, 0.5).toFixed(1)}" height="${bh.toFixed(1)}" fill="${kept ? '#3b7dd8' : '#c8ced6'}"/>`;
  });
  parts.push(
    `<line x1="${x(marker)}" x2="${x(marker)}" y1="${pad.t}" y2="${pad.t + h}" stroke="#d9480f" stroke-width="2"/>`,
    `<text x="${x(lo)}" y="${height - 8}">${fmt(lo)}</text>`,
    `<text x="${x(hi)}" y="${height - 8}" text-anchor="end">${fmt(hi)}</text>`,
    `<text x="${x(marker) - 4}" y="${pad.t + 12}" fill="#3b7dd8" text-anchor="end">kept</text>`,
    `<text x="${x(marker) + 4}" y="${pad.t + 12}" fill="#d9480f">removed</text>`,
    `<text x="${pad.l + w / 2}" y="${height - 8}" text-anchor="middle">log α (counts on a log scale)</text>`,
  );
  return parts.join('');
};

/** Horizontal bars: one per layer, its % removed. */
export const barsChart = (
  bars: ReadonlyArray<{ readonly label: string; readonly value: number; readonly note: string }>,
  options: { readonly width: number; readonly height: number },
): string => {
  const { width, height } = options;
  const rowH = Math.min(48, (height - 10) / Math.max(bars.length, 1));
  const left = 44;
  const w = width - left - 60;
  return bars
    .map((b, i) => {
      const y = 8 + i * rowH;
      const bw = (w * Math.max(0, Math.min(100, b.value))) / 100;
      return [
        `<text x="${left - 6}" y="${y + rowH / 4 + 8}" text-anchor="end">${esc(b.label)}</text>`,
        `<rect x="${left}" y="${y + 4}" width="${w}" height="${rowH / 2}" fill="#eef1f4"/>`,
        `<rect x="${left}" y="${y + 4}" width="${bw.toFixed(1)}" height="${rowH / 2}" fill="#2f9e44"/>`,
        `<text x="${left + w + 6}" y="${y + rowH / 4 + 8}">${b.value.toFixed(1)} %</text>`,
        `<text x="${left}" y="${y + rowH / 2 + 16}">${esc(b.note)}</text>`,
      ].join('');
    })
    .join('');
};

/**
 * A drawing on a 280×280 canvas, as MNIST's 28×28 input in [0, 1]: each pixel the mean of its 10×10 block
 * (white on black, like MNIST's digits).
 */
export const downsample = (rgba: Uint8ClampedArray, side = 280, to = 28): Float32Array => {
  const block = side / to;
  const out = new Float32Array(to * to);
  for (let r = 0; r < to; r += 1)
    for (let c = 0; c < to; c += 1) {
      let sum = 0;
      for (let dy = 0; dy < block; dy += 1)
        for (let dx = 0; dx < block; dx += 1)
          sum += rgba[((r * block + dy) * side + c * block + dx) * 4] as number;
      out[r * to + c] = sum / (block * block * 255);
    }
  return out;
};
