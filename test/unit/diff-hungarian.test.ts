// Optimal assignment (src-shared/diff/hungarian.ts) against brute force on small matrices.
import { describe, expect, it } from 'vitest';
import { assign } from '../../src-shared/diff/hungarian';
import { Rng } from '../../src-shared/util/rng';

/** The project's seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

function randomMatrix(n: number, m: number, r: () => number, integers = false): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => (integers ? Math.floor(r() * 5) : r() * 10)));
}

/** Minimum over every injective map of the smaller side into the larger (all permutations). */
function bruteFull(c: number[][]): number {
  const n = c.length;
  const m = c[0]?.length ?? 0;
  const k = Math.min(n, m);
  let best = Infinity;
  const usedCols = new Array<boolean>(m).fill(false);
  const usedRows = new Array<boolean>(n).fill(false);
  const rec = (depth: number, acc: number): void => {
    if (depth === k) {
      best = Math.min(best, acc);
      return;
    }
    if (n <= m) {
      for (let j = 0; j < m; j++) {
        if (usedCols[j]) continue;
        usedCols[j] = true;
        rec(depth + 1, acc + c[depth]![j]!);
        usedCols[j] = false;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (usedRows[i]) continue;
        usedRows[i] = true;
        rec(depth + 1, acc + c[i]![depth]!);
        usedRows[i] = false;
      }
    }
  };
  rec(0, 0);
  return best;
}

/** Minimum over every partial matching, each unmatched row/column costing threshold/2. */
function brutePartial(c: number[][], threshold: number): number {
  const n = c.length;
  const m = c[0]?.length ?? 0;
  let best = Infinity;
  const usedCols = new Array<boolean>(m).fill(false);
  const rec = (i: number, acc: number, matched: number): void => {
    if (i === n) {
      best = Math.min(best, acc + (threshold / 2) * (n + m - 2 * matched));
      return;
    }
    rec(i + 1, acc, matched);
    for (let j = 0; j < m; j++) {
      if (usedCols[j]) continue;
      usedCols[j] = true;
      rec(i + 1, acc + c[i]![j]!, matched + 1);
      usedCols[j] = false;
    }
  };
  rec(0, 0, 0);
  return best;
}

function checkConsistent(a: ReturnType<typeof assign>, c: number[][]): void {
  let total = 0;
  a.rowToCol.forEach((j, i) => {
    if (j >= 0) {
      expect(a.colToRow[j]).toBe(i);
      total += c[i]![j]!;
    }
  });
  a.colToRow.forEach((i, j) => {
    if (i >= 0) expect(a.rowToCol[i]).toBe(j);
  });
  expect(a.cost).toBeCloseTo(total, 9);
}

describe('assign (Hungarian)', () => {
  it('matches brute force on random square matrices (n ≤ 7)', () => {
    const r = rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 7);
      const c = randomMatrix(n, n, r, trial % 2 === 0);
      const a = assign(c);
      checkConsistent(a, c);
      expect([...a.rowToCol].every((j) => j >= 0)).toBe(true);
      expect(a.cost).toBeCloseTo(bruteFull(c), 9);
    }
  });

  it('matches brute force on rectangular matrices (both orientations)', () => {
    const r = rng(2);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 6);
      const m = 1 + Math.floor(r() * 6);
      const c = randomMatrix(n, m, r, trial % 3 === 0);
      const a = assign(c);
      checkConsistent(a, c);
      const matched = [...a.rowToCol].filter((j) => j >= 0).length;
      expect(matched).toBe(Math.min(n, m));
      expect(a.cost).toBeCloseTo(bruteFull(c), 9);
    }
  });

  it('with a threshold, matches brute force over partial matchings and never pairs above it', () => {
    const r = rng(3);
    for (let trial = 0; trial < 300; trial++) {
      const n = Math.floor(r() * 5);
      const m = Math.floor(r() * 5);
      const c = randomMatrix(n, m, r, trial % 2 === 0);
      const threshold = r() * 8;
      const a = assign(c, { threshold });
      checkConsistent(a, c);
      a.rowToCol.forEach((j, i) => {
        if (j >= 0) expect(c[i]![j]!).toBeLessThanOrEqual(threshold);
      });
      expect(a.objective).toBeCloseTo(brutePartial(c, threshold), 9);
    }
  });

  it('leaves everything unmatched when every pair costs more than the threshold', () => {
    const a = assign(
      [
        [5, 6],
        [7, 8],
      ],
      { threshold: 4 },
    );
    expect([...a.rowToCol]).toEqual([-1, -1]);
    expect([...a.colToRow]).toEqual([-1, -1]);
    expect(a.objective).toBe(8);
  });

  it('never makes a forbidden (infinite) pair', () => {
    const c = [
      [Infinity, 1, 2],
      [0, Infinity, Infinity],
    ];
    const a = assign(c);
    expect([...a.rowToCol]).toEqual([1, 0]);
    const b = assign([[Infinity, Infinity]], { threshold: 1 });
    expect([...b.rowToCol]).toEqual([-1]);
  });

  it('breaks ties deterministically (constant matrix → identity, repeated calls agree)', () => {
    const c = Array.from({ length: 6 }, () => new Array<number>(6).fill(1));
    expect([...assign(c).rowToCol]).toEqual([0, 1, 2, 3, 4, 5]);
    const r = rng(4);
    const t = randomMatrix(8, 8, r, true); // integer costs: many tied optima
    const first = [...assign(t).rowToCol];
    for (let k = 0; k < 5; k++) expect([...assign(t.map((row) => [...row])).rowToCol]).toEqual(first);
    const rect = [[1, 1, 1]];
    expect([...assign(rect).rowToCol]).toEqual([0]);
  });

  it('handles empty matrices and rejects malformed ones', () => {
    expect(assign([]).cost).toBe(0);
    expect([...assign([[], []]).rowToCol]).toEqual([-1, -1]);
    expect(() => assign([[1, 2], [3]])).toThrow(RangeError);
    expect(() => assign([[NaN]])).toThrow(RangeError);
    expect(() => assign([[1]], { threshold: -1 })).toThrow(RangeError);
  });
});
