/**
 * Stable serialisation of V-values: keys sorted at every level (by UTF-16 code units, the
 * same order everywhere), numbers in the shortest form that reads back to the same double.
 * The same V-value always gives the same text.
 */
import type { VChild, VValue } from './vvalue';

/**
 * Shortest round-trip decimal of `x`, written the way Julia prints floats: exponent form
 * below 1e-4 (`2.5452267e-5`), plain decimals otherwise. The 2022 prototype's files use
 * this form, so exported numbers read exactly like the originals.
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot serialise ${x}`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e21) return x.toExponential().replace('e+', 'e');
  return String(x);
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(v: VChild, indent: string, level: number, out: string[]): void {
  if (typeof v === 'number') {
    out.push(formatNumber(v));
    return;
  }
  const keys = Object.keys(v).sort(compareKeys);
  if (keys.length === 0) {
    out.push('{}');
    return;
  }
  const nl = indent ? '\n' + indent.repeat(level + 1) : '';
  const close = indent ? '\n' + indent.repeat(level) : '';
  const sep = indent ? ': ' : ':';
  out.push('{');
  keys.forEach((k, i) => {
    if (i > 0) out.push(',');
    out.push(nl, JSON.stringify(k), sep);
    write(v[k] as VChild, indent, level + 1, out);
  });
  out.push(close, '}');
}

/** Stable JSON text for a V-value (`indent` = '' for one line). */
export function stringifyVValue(v: VValue, indent = ''): string {
  const out: string[] = [];
  write(v, indent, 0, out);
  return out.join('');
}
