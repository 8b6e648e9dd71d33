/**
 * The diagnosis of a failed attempt from its event log: spikes (count, largest jump and
 * where), a dense phase after which no cut was ever accepted, the last cut that could not
 * be repaired (what it removed, how far retraining got), a spent budget; nothing for a
 * clean log.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src-shared/synthesis/diagnosis';
import type { SynthesisEvent } from '../../src-shared/synthesis/events';

const link = (to: string, from: string) => ({ to, toPort: 'dict', from, fromPort: 'norm' });

const events: SynthesisEvent[] = [
  { kind: 'phase', phase: 'dense', step: 0, softLinks: 896 },
  { kind: 'spike', phase: 'dense', step: 120, softLinks: 896, loss: 5e4, before: 40, lr: 0.0015 },
  { kind: 'spike', phase: 'dense', step: 300, softLinks: 896, loss: 900, before: 30, lr: 0.00075 },
  { kind: 'phase', phase: 'sparsify', step: 2000, softLinks: 896 },
  {
    kind: 'cut',
    step: 2000,
    softLinks: 894,
    round: 1,
    attempt: 1,
    rule: 'threshold 0.0100',
    removed: [link('norm-1-1', 'norm-1-2'), link('norm-1-3', 'norm-1-4')],
    linksBefore: 896,
    lambda1: 0.003,
    target: 18.3,
  },
  {
    kind: 'backtrack',
    step: 2050,
    softLinks: 896,
    round: 1,
    preregLoss: 1042,
    target: 18.3,
    retrainSteps: 50,
    restored: 2,
    next: 'no candidate left',
  },
];

describe('diagnose', () => {
  it('names the spikes, the stall after the dense phase and the cut that could not be repaired', () => {
    const d = diagnose(events, 'stalled');
    expect(d).toHaveLength(3);
    expect(d[0]).toMatch(/^unstable: the spike guard undid 2 steps \(the largest jump to 5\.00e\+4 from 40\.0 at step 120, dense phase/);
    expect(d[1]).toMatch(
      /^stalled after the dense phase: no cut was ever accepted \(the first retrained only to 1\.04e\+3 against its target 18\.3\)/,
    );
    expect(d[2]).toMatch(
      /^a cut that could not be repaired: round 1 removing norm-1-1\.dict ← norm-1-2\.norm, norm-1-3\.dict ← norm-1-4\.norm retrained 50 steps/,
    );
  });

  it('adds the spent budget, and says nothing of a clean log', () => {
    expect(diagnose(events, 'budget').at(-1)).toBe('the step budget ran out');
    expect(diagnose([{ kind: 'phase', phase: 'dense', step: 0, softLinks: 10 }], 'target')).toEqual([]);
  });
});
