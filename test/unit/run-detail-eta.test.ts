/** Progress and ETA of a live run (src-renderer/runs/detail/eta.ts). */
import { describe, expect, it } from 'vitest';
import {
  estimateProgress,
  formatDuration,
  NO_ESTIMATE,
  phaseStartStep,
  ProgressTracker,
  stepProgress,
} from '../../src-renderer/runs/detail/eta';

const PLAN = { denseSteps: 3000, polishSteps: 400, targetLinks: 8 };

describe('estimateProgress', () => {
  it('in the dense phase: the time to its end at the recent rate, not to the whole step budget', () => {
    // 10 steps/s for the first 100 s, then 50 steps/s
    const samples = [
      ...Array.from({ length: 11 }, (_, i) => ({ step: i * 100, wallMs: i * 10_000, phase: 'dense' as const })),
      ...Array.from({ length: 6 }, (_, i) => ({ step: 1000 + (i + 1) * 250, wallMs: 100_000 + (i + 1) * 5_000, phase: 'dense' as const })),
    ];
    const e = estimateProgress(samples, PLAN, 0, 30_000);
    expect(e.stepsPerSecond).toBeCloseTo(50);
    expect(e.etaMs).toBeCloseTo((500 / 50) * 1000); // 2500 of 3000 dense steps done
    expect(e.until).toBe('the end of the dense phase');
  });

  it('in the polish: the polish steps left from where it began', () => {
    const samples = [
      { step: 5000, wallMs: 50_000, phase: 'sparsify' as const, softLinks: 9 },
      { step: 5001, wallMs: 50_010, phase: 'polish' as const, softLinks: 9 },
      { step: 5101, wallMs: 51_010, phase: 'polish' as const, softLinks: 9 },
    ];
    const e = estimateProgress(samples, PLAN);
    expect(e.stepsPerSecond).toBeCloseTo(100);
    expect(e.until).toBe('the end of the polish');
    // began after step 5000: 101 done, 299 left at 100 steps/s
    expect(e.etaMs).toBeCloseTo(2990);
  });

  it('while sparsifying: the time until the target size at the recent geometric rate of cuts', () => {
    const samples = [
      { step: 3000, wallMs: 100_000, phase: 'sparsify' as const, softLinks: 1024 },
      { step: 3500, wallMs: 110_000, phase: 'sparsify' as const, softLinks: 512 },
      { step: 4000, wallMs: 120_000, phase: 'sparsify' as const, softLinks: 256 },
    ];
    const e = estimateProgress(samples, PLAN);
    expect(e.until).toBe('8 soft links');
    // halving every 10 s: 256 → 8 is 5 halvings = 50 s
    expect(e.etaMs).toBeCloseTo(50_000, -1);
    // no cut in the window: no estimate, said as such
    const stuck = estimateProgress(
      [
        { step: 3000, wallMs: 100_000, phase: 'sparsify' as const, softLinks: 20 },
        { step: 3500, wallMs: 110_000, phase: 'sparsify' as const, softLinks: 20 },
      ],
      PLAN,
    );
    expect(stuck.etaMs).toBeNull();
    expect(stuck.until).toBe('8 soft links');
  });

  it('falls back to the whole run with a single sample, and knows nothing without time', () => {
    const e = estimateProgress([{ step: 200, wallMs: 4000, phase: 'dense' }], PLAN, 0);
    expect(e.stepsPerSecond).toBe(50);
    expect(e.etaMs).toBe(((PLAN.denseSteps - 200) / 50) * 1000);
    expect(estimateProgress([], PLAN)).toEqual(NO_ESTIMATE);
    expect(estimateProgress([{ step: 5, wallMs: null }], PLAN)).toEqual(NO_ESTIMATE);
    expect(estimateProgress([{ step: 0, wallMs: 0 }], PLAN).etaMs).toBeNull();
  });

  it('ignores samples older than the window', () => {
    const e = estimateProgress(
      [
        { step: 0, wallMs: 0, phase: 'dense' },
        { step: 10, wallMs: 100_000, phase: 'dense' }, // slow start, far outside the window
        { step: 1010, wallMs: 110_000, phase: 'dense' },
        { step: 2010, wallMs: 120_000, phase: 'dense' },
      ],
      PLAN,
      0,
      30_000,
    );
    expect(e.stepsPerSecond).toBeCloseTo(100);
    expect(e.etaMs).toBeCloseTo(9_900);
  });

  it('phaseStartStep walks back over the current phase', () => {
    expect(
      phaseStartStep([
        { step: 10, wallMs: 1, phase: 'dense' },
        { step: 20, wallMs: 2, phase: 'sparsify' },
        { step: 30, wallMs: 3, phase: 'sparsify' },
      ]),
    ).toBe(19);
    expect(phaseStartStep([])).toBe(0);
  });
});

describe('stepProgress', () => {
  it('a finished run shows a full bar: 100 % at its ceiling, otherwise the step it ended at', () => {
    expect(stepProgress(16_800, 16_800, true)).toEqual({ fraction: 1, text: '16,800 / 16,800 steps (100 %)' });
    expect(stepProgress(4_400, 16_800, true)).toEqual({ fraction: 1, text: 'ended at step 4,400 of at most 16,800' });
  });

  it('a live run shows its share of the most it can take', () => {
    expect(stepProgress(1_200, 16_000, false)).toEqual({ fraction: 0.075, text: 'step 1,200 of at most 16,000 (7.5 %)' });
  });
});

describe('ProgressTracker', () => {
  it('keeps a bounded, step-ordered history; a repeated step replaces; going back truncates', () => {
    const t = new ProgressTracker(3);
    for (const step of [1, 2, 3, 4]) t.push({ step, wallMs: step * 10 });
    expect(t.all.map((s) => s.step)).toEqual([2, 3, 4]);
    t.push({ step: 4, wallMs: 99 });
    expect(t.all.at(-1)).toEqual({ step: 4, wallMs: 99 });
    t.push({ step: 3, wallMs: 5 }); // the run continued from an earlier snapshot
    expect(t.all.map((s) => s.step)).toEqual([2, 3]);
    t.clear();
    expect(t.all).toEqual([]);
  });
});

describe('formatDuration', () => {
  it('reads naturally at every scale', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(3 * 86_400_000 + 3_600_000 * 5)).toBe('3 d 5 h');
    expect(formatDuration(Number.NaN)).toBe('–');
    expect(formatDuration(-1)).toBe('–');
  });
});
