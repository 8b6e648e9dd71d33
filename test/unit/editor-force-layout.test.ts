/** The force-directed placement: deterministic, boxes apart, linked neurons nearer than unlinked ones. */
import { describe, expect, it } from 'vitest';
import { forceDirectedPositions, type ForceNode } from '@shared/editor/force-layout';

const box = (name: string, x = 0, y = 0): ForceNode => ({ name, position: { x, y }, width: 100, height: 50 });
const dist = (p: Map<string, { x: number; y: number }>, a: string, b: string) =>
  Math.hypot(p.get(a)!.x - p.get(b)!.x, p.get(a)!.y - p.get(b)!.y);

describe('forceDirectedPositions', () => {
  it('spreads neurons that all start at one point, deterministically, without overlapping boxes', () => {
    const nodes = Array.from({ length: 12 }, (_, i) => box(`n${i}`));
    const pairs = Array.from({ length: 11 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}`, strength: 1 }));
    const a = forceDirectedPositions(nodes, pairs);
    const b = forceDirectedPositions(nodes, pairs);
    expect([...a]).toEqual([...b]);
    // boxes 100 × 50: no two overlap
    for (let i = 0; i < 12; i++)
      for (let j = i + 1; j < 12; j++) {
        const [p, q] = [a.get(`n${i}`)!, a.get(`n${j}`)!];
        expect(Math.abs(p.x - q.x) >= 100 || Math.abs(p.y - q.y) >= 50).toBe(true);
      }
  });

  it('pulls linked neurons together: two linked cliques end up apart, each one tight', () => {
    const nodes = [...'abcdefgh'].map((c, i) => box(c, (i * 37) % 200, (i * 53) % 170));
    const pairs = [];
    for (const group of ['abcd', 'efgh'])
      for (const s of group) for (const t of group) if (s < t) pairs.push({ source: s, target: t, strength: 1 });
    pairs.push({ source: 'd', target: 'e', strength: 0.01 });
    const p = forceDirectedPositions(nodes, pairs);
    const within = (dist(p, 'a', 'b') + dist(p, 'c', 'd') + dist(p, 'e', 'f') + dist(p, 'g', 'h')) / 4;
    const across = (dist(p, 'a', 'h') + dist(p, 'b', 'g') + dist(p, 'c', 'f')) / 3;
    expect(across).toBeGreaterThan(within * 1.3);
    for (const v of p.values()) expect(Number.isFinite(v.x) && Number.isFinite(v.y)).toBe(true);
  });

  it('ignores pairs naming unknown neurons and handles an empty machine', () => {
    expect(forceDirectedPositions([], []).size).toBe(0);
    const p = forceDirectedPositions([box('a'), box('b', 300, 0)], [{ source: 'a', target: 'ghost', strength: 1 }]);
    expect(p.size).toBe(2);
  });
});
