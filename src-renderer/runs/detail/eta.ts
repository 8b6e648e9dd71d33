/**
 * Progress of a live run and an estimate of its time left, from (step, wallMs, phase, soft
 * links) samples of its metrics and progress events. The step rate is measured over the
 * recent window (phases run at very different speeds: dense training on 1000+ links is
 * slower per step than fine cuts on a dozen), falling back to the whole run when the window
 * holds one sample. The estimate follows the phase, never the whole step budget (a run
 * usually stops far before it): the dense phase and the polish have a known length; the
 * sparsification ends when the circuit reaches the target size, extrapolated from the recent
 * rate at which links fall (geometric, as cuts remove a fraction of what is left).
 */
import type { PHASES } from '@shared/api/records';

export type Phase = (typeof PHASES)[number];

export interface ProgressSample {
  readonly step: number;
  /** Wall-clock milliseconds since the run started (null: unknown). */
  readonly wallMs: number | null;
  readonly phase?: Phase | undefined;
  readonly softLinks?: number | undefined;
}

/** What the schedule says about the phases' lengths and the run's goal. */
export interface EtaPlan {
  readonly denseSteps: number;
  readonly polishSteps: number;
  readonly targetLinks: number;
}

export interface ProgressEstimate {
  /** Steps per second (null: unknown). */
  readonly stepsPerSecond: number | null;
  /** Milliseconds until `until` at the recent rate (null: no estimate). */
  readonly etaMs: number | null;
  /** What the estimate is the time to ("the end of the dense phase", "8 soft links", …); empty without one. */
  readonly until: string;
}

export const NO_ESTIMATE: ProgressEstimate = { stepsPerSecond: null, etaMs: null, until: '' };

const usable = (s: ProgressSample): s is ProgressSample & { wallMs: number } =>
  s.wallMs !== null && Number.isFinite(s.wallMs) && s.wallMs >= 0;

/** The first step of the phase the last sample is in (walking back while the phase stays the same). */
export function phaseStartStep(samples: readonly ProgressSample[]): number {
  const last = samples[samples.length - 1];
  if (last === undefined) return 0;
  let start = last.step;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i] as ProgressSample;
    if (s.phase !== last.phase) break;
    start = s.step;
  }
  return Math.max(0, start - 1);
}

/**
 * Samples are in step order (older first); the last one is "now". `phaseStart`: the step the
 * current phase started after (default: from the samples).
 */
export function estimateProgress(
  samples: readonly ProgressSample[],
  plan: EtaPlan,
  phaseStart: number = phaseStartStep(samples),
  windowMs = 30_000,
): ProgressEstimate {
  const good = samples.filter(usable);
  const last = good[good.length - 1];
  if (last === undefined) return NO_ESTIMATE;
  // the oldest sample within the window before the last one
  let first: (ProgressSample & { wallMs: number }) | undefined;
  for (const s of good) {
    if (s.step < last.step && last.wallMs - s.wallMs <= windowMs && last.wallMs > s.wallMs) {
      first = s;
      break;
    }
  }
  let rate: number | null = null;
  if (first !== undefined) rate = ((last.step - first.step) * 1000) / (last.wallMs - first.wallMs);
  else if (last.wallMs > 0 && last.step > 0) rate = (last.step * 1000) / last.wallMs;
  if (rate === null || !Number.isFinite(rate) || rate <= 0) return NO_ESTIMATE;
  const stepsLeft = (n: number, until: string): ProgressEstimate => ({
    stepsPerSecond: rate,
    etaMs: (Math.max(0, phaseStart + n - last.step) / rate) * 1000,
    until,
  });
  switch (last.phase) {
    case 'dense':
      return stepsLeft(plan.denseSteps, 'the end of the dense phase');
    case 'polish':
      return stepsLeft(plan.polishSteps, 'the end of the polish');
    case 'sparsify': {
      const target = `${plan.targetLinks} soft links`;
      const links = last.softLinks;
      const before = first?.softLinks;
      if (links === undefined || links <= plan.targetLinks) return { stepsPerSecond: rate, etaMs: null, until: '' };
      if (first === undefined || before === undefined || !(before > links) || plan.targetLinks <= 0)
        return { stepsPerSecond: rate, etaMs: null, until: target };
      // links fall geometrically: ln(before/links) per (last − first) ms
      const perMs = Math.log(before / links) / (last.wallMs - first.wallMs);
      return { stepsPerSecond: rate, etaMs: Math.log(links / plan.targetLinks) / perMs, until: target };
    }
    default:
      return { stepsPerSecond: rate, etaMs: null, until: '' };
  }
}

/** Keeps the recent samples of a live run (bounded), in step order. */
export class ProgressTracker {
  private samples: ProgressSample[] = [];

  constructor(private readonly keep = 400) {}

  push(s: ProgressSample): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && s.step < last.step) this.samples = this.samples.filter((x) => x.step < s.step); // the run went back (continued from a snapshot)
    if (last !== undefined && s.step === last.step) this.samples[this.samples.length - 1] = s;
    else this.samples.push(s);
    if (this.samples.length > this.keep) this.samples.splice(0, this.samples.length - this.keep);
  }

  clear(): void {
    this.samples = [];
  }

  get all(): readonly ProgressSample[] {
    return this.samples;
  }
}

/** "850 ms", "12 s", "3 min 05 s", "1 h 02 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export interface StepProgress {
  /** Width of the bar in [0, 1]: 1 once the run has ended, whatever step it ended at. */
  readonly fraction: number;
  readonly text: string;
}

/**
 * The step counter in words: `step 1,200 of at most 16,800 (7.1 %)` while going, and once
 * ended `16,800 / 16,800 steps (100 %)` or `ended at step 4,400 of at most 16,800` (a run
 * usually stops at its target size far before its budget: a partial bar would say it broke off).
 */
export function stepProgress(step: number, budget: number, ended: boolean): StepProgress {
  const n = (x: number): string => x.toLocaleString('en-US');
  if (ended) {
    return {
      fraction: 1,
      text: budget > 0 && step >= budget ? `${n(step)} / ${n(budget)} steps (100 %)` : `ended at step ${n(step)} of at most ${n(budget)}`,
    };
  }
  const fraction = budget > 0 ? Math.min(1, Math.max(0, step / budget)) : 0;
  return { fraction, text: `step ${n(step)} of at most ${n(budget)} (${(fraction * 100).toFixed(1)} %)` };
}
