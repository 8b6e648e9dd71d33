/**
 * A static multi-series line plot as a standalone SVG string (pure), for the diff report:
 * x = index + x0 (cycles), one polyline per series, axes with "nice" ticks, axis labels,
 * a legend below the plot. Non-finite values break a line. Text is XML-escaped and colours
 * checked (src-shared/render/svg-graph.ts).
 */
import { PAPER, SERIES_COLORS } from '../render/palette';
import { checkColor, escapeXml, num, SVG_FONT_FAMILY } from '../render/svg-graph';

export interface PlotSeries {
  readonly label: string;
  readonly values: ArrayLike<number>;
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface LinePlot {
  readonly series: readonly PlotSeries[];
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** x of values[0] (default 1: cycles are 1-based). */
  readonly x0?: number;
  /** Overall size in px (default 640 × 260). */
  readonly width?: number;
  readonly height?: number;
}

/** Colours used in turn for series without one (colour-blind safe, Okabe–Ito). */
export const PLOT_COLORS: readonly string[] = SERIES_COLORS;

/** Most ticks niceTicks returns. */
const MAX_TICKS = 50;

/**
 * About `count` round tick values covering [lo, hi], increasing, at most MAX_TICKS of them.
 * hi ≤ lo gives [lo]; a step below the numbers' resolution (as for [1e16, 1e16 + 2]) gives
 * each distinct value once; a range too wide to measure gives [lo, hi]; a non-finite end
 * gives the finite one, or [0] when neither is.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    if (Number.isFinite(lo)) return [lo];
    return Number.isFinite(hi) ? [hi] : [0];
  }
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.min(MAX_TICKS, Math.max(1, count));
  if (!Number.isFinite(raw) || !(raw > 0)) return [lo, hi];
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.ceil(lo / step - 1e-9);
  const out: number[] = [];
  const steps = Math.min(MAX_TICKS, Math.ceil((hi - lo) / step) + 1);
  for (let i = 0; i <= steps && out.length < MAX_TICKS; i++) {
    const v = (first + i) * step;
    if (v > hi + step * 1e-9) break;
    const t = first + i === 0 ? 0 : Number(v.toPrecision(12));
    // a step below the numbers' resolution repeats a value: keep each once
    if (out.length === 0 || t > out[out.length - 1]!) out.push(t);
  }
  return out.length > 0 ? out : [lo, hi];
}

function tickLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** Width of one character of the plots' monospace text (10 px at 0.6 em). */
const LEGEND_CHAR = 6;
/** The sample line and the gap before its label; the space after an entry. */
const LEGEND_SAMPLE = 22;
const LEGEND_GAP = 14;

/**
 * Where each legend entry goes: entries flow left to right in the width of the plot, each as
 * wide as its label (monospace text, so the width is known without a browser), and wrap to a
 * new row when the next one would not fit; a label wider than the plot is cut with "…".
 */
export function legendLayout(
  labels: readonly string[],
  width: number,
): { entries: { x: number; row: number; label: string }[]; rows: number } {
  const maxChars = Math.max(1, Math.floor((width - LEGEND_SAMPLE) / LEGEND_CHAR));
  const entries: { x: number; row: number; label: string }[] = [];
  let x = 0;
  let row = 0;
  for (const raw of labels) {
    const chars = [...raw];
    const label = chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : raw;
    const w = LEGEND_SAMPLE + [...label].length * LEGEND_CHAR;
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    entries.push({ x, row, label });
    x += w + LEGEND_GAP;
  }
  return { entries, rows: labels.length === 0 ? 0 : row + 1 };
}

/** The plot as a standalone SVG document (see the module comment). */
export function linePlotSvg(plot: LinePlot): string {
  const width = plot.width ?? 640;
  const height = plot.height ?? 260;
  if (!(width >= 100 && height >= 80 && Number.isFinite(width) && Number.isFinite(height))) {
    throw new RangeError(`plot size must be at least 100 × 80, got ${width} × ${height}`);
  }
  const x0 = plot.x0 ?? 1;
  const colors = plot.series.map((s, i) =>
    s.color === undefined ? PLOT_COLORS[i % PLOT_COLORS.length]! : checkColor(s.color, `series "${s.label}"`),
  );
  let n = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of plot.series) {
    n = Math.max(n, s.values.length);
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i] as number;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!(hi >= lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) {
    // a flat line: ±1 around it, or a relative margin where ±1 is lost in rounding (1e17)
    const d = Math.max(1, Math.abs(lo) * 1e-6);
    lo = Math.max(lo - d, -Number.MAX_VALUE);
    hi = Math.min(hi + d, Number.MAX_VALUE);
  }
  const pad = Number.isFinite(hi - lo) ? (hi - lo) * 0.05 : 0;
  const yTicks = niceTicks(lo - pad, hi + pad);
  const yMin = Math.min(lo - pad, yTicks[0]!);
  const yMax = Math.max(hi + pad, yTicks[yTicks.length - 1]!);
  const xMin = x0;
  const xMax = x0 + Math.max(1, n - 1);
  const xTicks = niceTicks(xMin, xMax, 8);

  const left = 56;
  const right = 12;
  const legend = legendLayout(
    plot.series.map((s) => s.label),
    width - left - right,
  );
  const legendRows = legend.rows;
  const top = plot.title ? 28 : 12;
  const bottom = 36 + (plot.xLabel ? 14 : 0) + legendRows * 16;
  const pw = width - left - right;
  const ph = height - top - bottom;
  if (!(ph > 20)) throw new RangeError(`plot height ${height} leaves no room for ${plot.series.length} legend entries`);
  const sx = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * pw;
  // halves, so a range as wide as the doubles (±1.8e308) does not overflow to Infinity / Infinity
  const sy = (y: number): number => top + (1 - (y / 2 - yMin / 2) / (yMax / 2 - yMin / 2)) * ph;

  const parts: string[] = [];
  parts.push(`<rect x="${left}" y="${top}" width="${num(pw)}" height="${num(ph)}" fill="${PAPER.background}" stroke="${PAPER.axis}"/>`);
  for (const t of yTicks) {
    const y = sy(t);
    parts.push(
      `<line x1="${left}" y1="${num(y)}" x2="${num(left + pw)}" y2="${num(y)}" stroke="${PAPER.grid}"/>` +
        `<text x="${left - 4}" y="${num(y + 4)}" text-anchor="end" class="tick">${escapeXml(tickLabel(t))}</text>`,
    );
  }
  if (yMin < 0 && yMax > 0)
    parts.push(`<line x1="${left}" y1="${num(sy(0))}" x2="${num(left + pw)}" y2="${num(sy(0))}" stroke="${PAPER.axis}"/>`);
  for (const t of xTicks) {
    const x = sx(t);
    parts.push(
      `<line x1="${num(x)}" y1="${num(top + ph)}" x2="${num(x)}" y2="${num(top + ph + 4)}" stroke="${PAPER.muted}"/>` +
        `<text x="${num(x)}" y="${num(top + ph + 16)}" text-anchor="middle" class="tick">${escapeXml(tickLabel(t))}</text>`,
    );
  }
  plot.series.forEach((s, i) => {
    const runs: string[] = [];
    let current: string[] = [];
    for (let k = 0; k < s.values.length; k++) {
      const v = s.values[k] as number;
      if (!Number.isFinite(v)) {
        if (current.length > 0) runs.push(current.join(' '));
        current = [];
        continue;
      }
      current.push(`${num(sx(x0 + k))},${num(sy(v))}`);
    }
    if (current.length > 0) runs.push(current.join(' '));
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    for (const r of runs) {
      parts.push(`<polyline class="series" data-series="${i}" points="${r}" fill="none" stroke="${colors[i]}" stroke-width="1.6"${dash}/>`);
    }
  });
  if (plot.title) parts.push(`<text x="${left}" y="18" class="title">${escapeXml(plot.title)}</text>`);
  if (plot.yLabel) {
    parts.push(
      `<text x="14" y="${num(top + ph / 2)}" text-anchor="middle" transform="rotate(-90 14 ${num(top + ph / 2)})" class="axis">${escapeXml(plot.yLabel)}</text>`,
    );
  }
  if (plot.xLabel)
    parts.push(
      `<text x="${num(left + pw / 2)}" y="${num(top + ph + 30)}" text-anchor="middle" class="axis">${escapeXml(plot.xLabel)}</text>`,
    );
  const legendTop = top + ph + 30 + (plot.xLabel ? 14 : 0);
  plot.series.forEach((s, i) => {
    const e = legend.entries[i]!;
    const x = left + e.x;
    const y = legendTop + e.row * 16;
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(
      `<g class="legend-entry"><line x1="${num(x)}" y1="${num(y - 4)}" x2="${num(x + 18)}" y2="${num(y - 4)}" stroke="${colors[i]}" stroke-width="2"${dash}/>` +
        `<text x="${num(x + 22)}" y="${num(y)}" class="legend">${escapeXml(e.label)}</text></g>`,
    );
  });
  const style =
    `<style>text{font-family:${SVG_FONT_FAMILY};font-size:10px;fill:${PAPER.text}}` +
    `.title{font-size:12px;font-weight:bold}.axis{font-size:10px;fill:${PAPER.muted}}</style>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${num(width)} ${num(height)}" width="${num(width)}" height="${num(height)}">` +
    (plot.title ? `<title>${escapeXml(plot.title)}</title>` : '') +
    style +
    parts.join('') +
    `</svg>`
  );
}
