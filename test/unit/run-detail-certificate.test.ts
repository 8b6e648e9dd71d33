/**
 * A run's certificate (src-renderer/lib/certificate.ts): the last
 * `certificate` event of the log is the result's; missing or malformed fields read as
 * absent, never as numbers they are not.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src-shared/api/records';
import { certificateOf } from '../../src-renderer/lib/certificate';

let id = 0;
const ev = (kind: string, data: Record<string, unknown>, step = 10): EventRecord => ({
  id: ++id,
  runId: 1,
  step,
  kind,
  at: 0,
  data: { kind, step, ...data },
});

describe('certificate of a run', () => {
  it('is absent without a certificate event', () => {
    expect(certificateOf([ev('stop', { reason: 'target' })])).toBeUndefined();
  });

  it('reads the last certificate event: links with their evidence, moves, kept neurons', () => {
    const first = ev('certificate', { softLinks: 11, linksBefore: 11, necessary: [{ link: 'x', lossWithout: 1 }], removals: [] });
    const last = ev('certificate', {
      softLinks: 8,
      linksBefore: 9,
      bounds: { trainLoss: 0.001, validationWorst: 0.01 },
      removals: [{ kind: 'bypass', removed: ['a ← b', 'c ← a'], added: ['c ← b'], lossAfter: 1e-19 }],
      necessary: [
        { link: 'c ← b', lossWithout: 96.1 },
        { link: 'd ← e', lossWithout: null },
      ],
      bypasses: [{ neuron: 'compare-5-1', move: 'bypass', lossWithout: 24.5 }],
    });
    const c = certificateOf([first, ev('restart', {}), last]);
    expect(c).toEqual({
      refused: undefined,
      linksBefore: 9,
      softLinks: 8,
      trainLossBound: 0.001,
      moves: [{ kind: 'bypass', removed: ['a ← b', 'c ← a'], added: ['c ← b'] }],
      necessary: [
        { link: 'c ← b', lossWithout: 96.1 },
        { link: 'd ← e', lossWithout: null },
      ],
      neurons: [{ neuron: 'compare-5-1', move: 'bypass', lossWithout: 24.5 }],
    });
  });

  it('says why there is none, and survives malformed fields', () => {
    const c = certificateOf([
      ev('certificate', { refused: 'the result fails its verdict: training loss 3 > 0.001', necessary: 'no', removals: [1, null] }),
    ]);
    expect(c?.refused).toBe('the result fails its verdict: training loss 3 > 0.001');
    expect(c?.necessary).toEqual([]);
    expect(c?.moves).toEqual([]);
    expect(c?.trainLossBound).toBeNull();
  });
});
