/**
 * The state of one run's detail screen, kept live: the run record, its metrics (raw and,
 * when asked for, smoothed in the main process), events and snapshots, and the latest
 * progress. Metrics are fetched incrementally (afterStep) and appended, at most 10 times a
 * second whatever the event rate; events and snapshots likewise at lower rates. A slow
 * timer covers a missed push (a reconnecting WebSocket). A run that continues from an
 * earlier snapshot of its own (its steps go back) is reloaded from scratch.
 */
import type { ApiEvent } from '@shared/api/contract';
import { isFinalStatus, type EventRecord, type RunDetail, type SnapshotInfo } from '@shared/api/records';
import type { LabClient } from '../../api/connect';
import { errorMessage } from '../../lib/api';
import { estimateProgress, NO_ESTIMATE, phaseStartStep, ProgressTracker, type ProgressEstimate, type ProgressSample } from './eta';
import { appendPage, EMPTY_BUFFER, type MetricsPage, type SeriesBuffer } from './series';
import { throttle, type Throttled } from '../../lib/throttle';

export type ProgressData = Extract<ApiEvent, { name: 'run.progress' }>['data'];

/** Points asked for per fetch; a buffer that grows past COMPACT_AT points is fetched again, downsampled. */
export const MAX_POINTS = 2000;
const COMPACT_AT = 3 * MAX_POINTS;
/** Fastest refresh of the curves (≤ 10 Hz), of the event log and of the snapshot list. */
const METRICS_MS = 100;
const EVENTS_MS = 250;
const SNAPSHOTS_MS = 2000;
const POLL_MS = 2000;

/** Kinds after which a new snapshot is likely. */
const SNAPSHOT_KINDS = new Set(['accept', 'backtrack', 'prune', 'stop', 'regrow', 'restart', 'continue']);

export class LiveRun {
  run = $state.raw<RunDetail | null>(null);
  loadError = $state<string | null>(null);
  /** The last failure of a background refresh (cleared by the next success). */
  refreshError = $state<string | null>(null);
  raw = $state.raw<SeriesBuffer>(EMPTY_BUFFER);
  smooth = $state.raw<SeriesBuffer | null>(null);
  /** EMA factor of the smoothed curves (0 = none). */
  smoothing = $state(0);
  events = $state.raw<EventRecord[]>([]);
  snapshots = $state.raw<SnapshotInfo[]>([]);
  progress = $state.raw<ProgressData | null>(null);
  estimate = $state.raw<ProgressEstimate>(NO_ESTIMATE);

  private readonly tracker = new ProgressTracker();
  private metricsGen = 0;
  private lastEventId = 0;
  private readonly refreshers: Throttled[] = [];
  private metricsT: Throttled | undefined;
  private eventsT: Throttled | undefined;
  private snapshotsT: Throttled | undefined;

  constructor(
    private readonly client: LabClient,
    readonly id: number,
  ) {}

  get live(): boolean {
    return this.run !== null && !isFinalStatus(this.run.status);
  }

  /** Loads everything and follows the run; returns the function that stops following. */
  start(): () => void {
    const failed = (e: unknown): void => {
      this.refreshError = errorMessage(e);
    };
    this.metricsT = throttle(() => this.fetchMetrics(), METRICS_MS, failed);
    this.eventsT = throttle(() => this.fetchEvents(), EVENTS_MS, failed);
    this.snapshotsT = throttle(() => this.fetchSnapshots(), SNAPSHOTS_MS, failed);
    this.refreshers.push(this.metricsT, this.eventsT, this.snapshotsT);
    const off = this.client.on((e) => this.onEvent(e));
    const poll = setInterval(() => {
      if (this.live) this.refreshAll();
    }, POLL_MS);
    void this.load();
    return () => {
      off();
      clearInterval(poll);
      for (const r of this.refreshers) r.dispose();
    };
  }

  /** Changes the smoothing factor: the smoothed series is fetched again from the start. */
  setSmoothing(factor: number): void {
    if (factor === this.smoothing) return;
    this.smoothing = factor;
    this.smooth = null;
    this.metricsGen++;
    this.metricsT?.request();
  }

  refreshAll(): void {
    this.metricsT?.request();
    this.eventsT?.request();
    this.snapshotsT?.request();
  }

  private async load(): Promise<void> {
    try {
      this.run = await this.client['runs.get']({ id: this.id });
      this.loadError = null;
    } catch (e) {
      this.loadError = errorMessage(e);
      return;
    }
    this.refreshAll();
  }

  private onEvent(e: ApiEvent): void {
    switch (e.name) {
      case 'run.progress':
        if (e.data.runId !== this.id) return;
        this.progress = e.data;
        this.track({ step: e.data.step, wallMs: e.data.wallMs, phase: e.data.phase, softLinks: e.data.softLinks });
        this.metricsT?.request();
        this.snapshotsT?.request();
        return;
      case 'run.changed': {
        if (e.data.id !== this.id || this.run === null) return;
        const before = this.run;
        this.run = { ...before, ...e.data };
        if (e.data.steps < this.raw.lastStep) this.resetMetrics(); // continued from an earlier snapshot
        if (before.status !== e.data.status) {
          if (isFinalStatus(e.data.status)) this.ended();
          this.refreshAll();
        }
        return;
      }
      case 'run.event':
        if (e.data.runId !== this.id) return;
        if (e.data.kind === 'continue') this.resetMetrics();
        this.eventsT?.request();
        if (SNAPSHOT_KINDS.has(e.data.kind)) this.snapshotsT?.request();
        return;
      case 'run.removed':
        return;
    }
  }

  /**
   * The run has ended: the header shows the stored final figures (the final circuit's, which
   * with restarts or a polish differ from the last live progress), read again from the lab.
   */
  private ended(): void {
    this.progress = null;
    this.estimate = NO_ESTIMATE;
    void this.client['runs.get']({ id: this.id }).then(
      (run) => {
        this.run = run;
      },
      (e: unknown) => {
        this.refreshError = errorMessage(e);
      },
    );
  }

  private resetMetrics(): void {
    this.metricsGen++;
    this.raw = EMPTY_BUFFER;
    this.smooth = null;
    this.tracker.clear();
    this.progress = null;
    this.metricsT?.request();
  }

  private track(sample: ProgressSample): void {
    this.tracker.push(sample);
    const run = this.run;
    if (run === null || isFinalStatus(run.status)) return;
    const plan = {
      denseSteps: run.schedule.dense.steps,
      polishSteps: run.schedule.polish.steps,
      targetLinks: run.schedule.stop.targetLinks,
    };
    // where the current phase began: from the whole (downsampled) series, and the live sample when it is in a newer phase
    const points = this.raw.points;
    const lastPoint = points.at(-1);
    const start =
      lastPoint !== undefined && lastPoint.phase !== sample.phase && sample.step > lastPoint.step
        ? lastPoint.step
        : phaseStartStep(points.map((p) => ({ step: p.step, wallMs: p.wallMs, phase: p.phase })));
    this.estimate = estimateProgress(this.tracker.all, plan, start);
  }

  private async page(afterStep: number, smoothing: number): Promise<MetricsPage> {
    return this.client['runs.metrics']({ id: this.id, afterStep, maxPoints: MAX_POINTS, ...(smoothing > 0 ? { smoothing } : {}) });
  }

  /** Appends the new points of the raw (and smoothed) series; refetches a series that grew too long. */
  private async fetchMetrics(): Promise<void> {
    const gen = this.metricsGen;
    const grow = async (buffer: SeriesBuffer, smoothing: number): Promise<SeriesBuffer> => {
      const next = appendPage(buffer, await this.page(buffer.lastStep, smoothing));
      if (next.points.length <= COMPACT_AT) return next;
      return appendPage(EMPTY_BUFFER, await this.page(0, smoothing));
    };
    const raw = await grow(this.raw, 0);
    if (gen !== this.metricsGen) return;
    if (raw.points !== this.raw.points || raw.lastStep !== this.raw.lastStep) {
      const known = this.raw.points.at(-1)?.step ?? 0;
      this.raw = raw;
      for (const p of raw.points.slice(-50))
        if (p.step > known) this.track({ step: p.step, wallMs: p.wallMs, phase: p.phase, softLinks: p.softLinks });
    }
    const factor = this.smoothing;
    if (factor > 0) {
      const smooth = await grow(this.smooth ?? EMPTY_BUFFER, factor);
      if (gen !== this.metricsGen || factor !== this.smoothing) return;
      this.smooth = smooth;
    }
    this.refreshError = null;
  }

  private async fetchEvents(): Promise<void> {
    const fresh = await this.client['runs.events']({ id: this.id, afterId: this.lastEventId });
    if (fresh.length === 0) return;
    const last = fresh[fresh.length - 1] as EventRecord;
    if (last.id <= this.lastEventId) return;
    this.lastEventId = last.id;
    this.events = [...this.events, ...fresh.filter((e) => e.id > (this.events.at(-1)?.id ?? 0))];
  }

  private async fetchSnapshots(): Promise<void> {
    const list = await this.client['runs.snapshots']({ id: this.id });
    const prev = this.snapshots;
    const same = list.length === prev.length && list.every((s, i) => s.id === prev[i]?.id);
    if (!same) this.snapshots = list;
  }
}
