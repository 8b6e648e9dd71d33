/**
 * What a caller of synthesis sees: the hooks it may pass (progress, events, pause and
 * controls, snapshots, cancellation, the optimiser), the snapshots it receives and the
 * result it gets back.
 */
import type { MachineSpec, Link } from '../machine/spec';
import type { Problem } from '../problems/problem';
import type { Circuit } from './circuit';
import type { ControlRecord, StepMetrics, SynthesisEvent } from './events';
import type { Certificate } from './minimality';
import type { Fit } from './objective';
import type { TestReport } from './test-suite';
import type { Trainer } from './trainer';

export interface SynthesisHooks {
  onStep?(m: StepMetrics): void;
  onEvent?(e: SynthesisEvent): void;
  /** Polled between steps; true ends the run (reason `cancelled`) after a polish-free report. */
  cancelled?(): boolean;
  /** The optimiser to use; default: exact gradients (the host supplies ES with worker threads). */
  trainer?: Trainer;
  /** A starting circuit that overrides the schedule's start point (e.g. resuming). */
  circuit?: Circuit;
  /** The problem the run solves (teacher, input, compared outputs, frame); default: the duplicate detector. */
  problem?: Problem;
  /**
   * Awaited between optimiser steps: may hold the run (pause) and returns the attended-run
   * controls to apply now (each recorded as a `control` event).
   */
  between?(): Promise<readonly SynthesisControl[]> | readonly SynthesisControl[];
  /**
   * Receives the circuit at the start, after every accepted cut and prune, every
   * `snapshotEvery` steps (the weights that step starts from) and at the end. (A cut's
   * circuit is the last snapshot minus the links its event names; a backtrack restores it.)
   */
  onSnapshot?(s: CircuitSnapshot): void;
  /** Interval snapshots every this many steps (0 or absent: none). */
  snapshotEvery?: number;
}

/** The attended-run controls of the 2022 workflow. */
export type SynthesisControl = ControlRecord;

export interface CircuitSnapshot {
  /** Optimiser steps done to reach these weights. */
  readonly step: number;
  readonly reason: 'start' | 'interval' | 'cut' | 'accept' | 'backtrack' | 'prune' | 'final';
  readonly links: readonly Link[];
  readonly weights: Float64Array;
  /**
   * Training loss without regulariser of exactly these weights, on the windows of the step
   * that follows (step + 1; full windows without a curriculum): what that step reports.
   */
  readonly preregLoss: number;
}

export type StopReason = Extract<SynthesisEvent, { kind: 'stop' }>['reason'];

export interface SynthesisResult {
  readonly spec: MachineSpec;
  readonly circuit: Circuit;
  readonly softLinks: number;
  /** Fit on the training set's full windows, after the polish. */
  readonly train: Fit;
  /** The schedule's validation strings (training-side data the run may use to decide). */
  readonly validation: TestReport;
  /** The held-out test suite (never used by the run). */
  readonly test: TestReport;
  readonly steps: number;
  readonly stopReason: StopReason;
  readonly events: readonly SynthesisEvent[];
  /** Why the circuit cannot be smaller (absent when the schedule skips the check or the result fails its verdict). */
  readonly certificate?: Certificate;
}
