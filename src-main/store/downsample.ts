/**
 * Downsampling of a metric series for plotting: at most `maxPoints` points, always the
 * first and the last, and from each of ⌊(maxPoints − 2)/2⌋ equal buckets of the points in
 * between the one with the lowest and the one with the highest preregLoss — so spikes and
 * dips survive any zoom level. Output is in input (step) order.
 *
 * Order used for the extremes: finite < +Infinity < NaN or null (a divergence stays visible as a
 * maximum); −Infinity is the lowest.
 */

/** −1, 0, 1 comparing a and b in the order finite/±Infinity < NaN. */
function compareLoss(a: number | null, b: number | null): number {
  const an = a === null || Number.isNaN(a);
  const bn = b === null || Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function downsample<T extends { readonly preregLoss: number | null }>(points: readonly T[], maxPoints: number): T[] {
  const n = points.length;
  const m = Math.max(2, Math.floor(maxPoints));
  if (n <= m) return points.slice();
  const out: T[] = [points[0] as T];
  const inner = n - 2;
  const buckets = Math.min(Math.floor((m - 2) / 2), inner);
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets); // exclusive
    let iMin = lo;
    let iMax = lo;
    for (let i = lo + 1; i < hi; i++) {
      const v = (points[i] as T).preregLoss;
      if (compareLoss(v, (points[iMin] as T).preregLoss) < 0) iMin = i;
      if (compareLoss(v, (points[iMax] as T).preregLoss) > 0) iMax = i;
    }
    if (iMin === iMax) out.push(points[iMin] as T);
    else if (iMin < iMax) out.push(points[iMin] as T, points[iMax] as T);
    else out.push(points[iMax] as T, points[iMin] as T);
  }
  out.push(points[n - 1] as T);
  return out;
}
