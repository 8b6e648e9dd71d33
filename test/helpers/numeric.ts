/** Finite differences and tolerant comparison for gradient tests. */
import { expect } from 'vitest';

/** Central difference (f(x+h) − f(x−h)) / 2h of f along one coordinate of `x` (restored after). */
export function centralDifference(f: () => number, x: Float64Array, i: number, h: number): number {
  const x0 = x[i] as number;
  x[i] = x0 + h;
  const up = f();
  x[i] = x0 - h;
  const down = f();
  x[i] = x0;
  return (up - down) / (2 * h);
}

/** |a − b| ≤ abs + rel·max(|a|, |b|), with a message naming what is compared. */
export function expectClose(actual: number, expected: number, what: string, rel = 1e-6, abs = 1e-8): void {
  const tol = abs + rel * Math.max(Math.abs(actual), Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`${what}: got ${actual}, expected ${expected} (|Δ| ${Math.abs(actual - expected)} > ${tol})`);
  }
}
