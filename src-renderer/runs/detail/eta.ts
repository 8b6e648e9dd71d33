/**
 * Progress of a run and its estimated time to the step budget, from (step, wallMs) samples
 * of the run's metrics or progress events. The rate is measured over the recent window
 * (phases run at very different speeds: dense training on 1000+ links is slower per step
 * than fine cuts on a dozen), falling back to the whole run when the window holds one sample.
 * The step budget is an upper bound — a run may stop earlier at its target size — so the
 * ETA is an "at most".
 */

export interface ProgressSample {
  readonly step: number;
  /** Wall-clock milliseconds since the run started (null: unknown). */
  readonly wallMs: number | null;
}

export interface ProgressEstimate {
  /** step / stepBudget in [0, 1]. */
  readonly fraction: number;
  /** Steps per second (null: unknown). */
  readonly stepsPerSecond: number | null;
  /** Milliseconds until the step budget at that rate (null: unknown). */
  readonly etaMs: number | null;
}

const usable = (s: ProgressSample): s is ProgressSample & { wallMs: number } =>
  s.wallMs !== null && Number.isFinite(s.wallMs) && s.wallMs >= 0;

/** Samples are in step order (older first); the last one is "now". */
export function estimateProgress(samples: readonly ProgressSample[], stepBudget: number, windowMs = 30_000): ProgressEstimate {
  const good = samples.filter(usable);
  const last = good[good.length - 1];
  const lastStep = samples.length > 0 ? (samples[samples.length - 1] as ProgressSample).step : 0;
  const fraction = stepBudget > 0 ? Math.min(1, Math.max(0, lastStep / stepBudget)) : 0;
  if (last === undefined) return { fraction, stepsPerSecond: null, etaMs: null };
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
  if (rate === null || !Number.isFinite(rate) || rate <= 0) return { fraction, stepsPerSecond: null, etaMs: null };
  const left = Math.max(0, stepBudget - last.step);
  return { fraction, stepsPerSecond: rate, etaMs: (left / rate) * 1000 };
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
