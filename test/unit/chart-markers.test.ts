/** Chart helpers (src-renderer/components/chart.ts): whole-number step ticks, markers thinned and toggled per kind. */
import { describe, expect, it } from 'vitest';
import { STEP_INCRS, thinMarkers } from '../../src-renderer/components/chart';

describe('step axis', () => {
  it('ticks step by whole numbers only, from 1 upwards', () => {
    expect(STEP_INCRS.slice(0, 6)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(STEP_INCRS.every((x) => Number.isInteger(x) && x >= 1)).toBe(true);
  });
});

describe('thinMarkers', () => {
  const cuts = Array.from({ length: 300 }, (_, i) => ({ x: i * 10, kind: 'cut' }));
  const accepts = Array.from({ length: 5 }, (_, i) => ({ x: i * 7 + 1, kind: 'accept' }));

  it('keeps at most `most` per kind, spread over the run, and counts them all', () => {
    const r = thinMarkers([...cuts, ...accepts], new Set(['cut', 'accept']), 60);
    expect(r.markers.filter((m) => m.kind === 'cut')).toHaveLength(60);
    expect(r.markers.filter((m) => m.kind === 'accept')).toHaveLength(5);
    expect(r.total.get('cut')).toBe(300);
    const xs = r.markers.filter((m) => m.kind === 'cut').map((m) => m.x);
    expect(xs[0]).toBe(0);
    expect(xs.at(-1)!).toBeGreaterThan(2900);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('a hidden kind draws nothing but is still counted', () => {
    const r = thinMarkers([...cuts, ...accepts], new Set(['accept']));
    expect(r.markers.every((m) => m.kind === 'accept')).toBe(true);
    expect(r.total.get('cut')).toBe(300);
  });
});
