/**
 * What a synthesis run reports: one metrics record per optimiser step and one event per
 * decision, each with the numbers that drove it. Plain serialisable data.
 */
import type { Link } from '../machine/spec';
import type { BypassEvidence, LinkEvidence, Removal, VerdictBounds } from './minimality';

/** An attended-run control as an event records it (same shape as SynthesisControl). */
export type ControlRecord =
  { readonly kind: 'prune'; readonly threshold: number } | { readonly kind: 'set'; readonly lambda1?: number; readonly lr?: number };

export type Phase = 'dense' | 'sparsify' | 'polish';

export interface StepMetrics {
  /** Optimiser steps so far in the run (1-based). */
  readonly step: number;
  readonly phase: Phase;
  /** Training loss before this step's update, without the regulariser. */
  readonly preregLoss: number;
  readonly loss: number;
  /** Σ|w| over regularised soft links. */
  readonly l1: number;
  /** The λ1 in force. */
  readonly lambda1: number;
  readonly softLinks: number;
}

interface EventBase {
  /** Optimiser steps done when the event happened. */
  readonly step: number;
  readonly softLinks: number;
}

export type SynthesisEvent =
  | (EventBase & { readonly kind: 'phase'; readonly phase: Phase })
  | (EventBase & {
      readonly kind: 'cut';
      readonly round: number;
      readonly attempt: number;
      /** How the cut was chosen: `fraction 0.3`, `threshold 0.05`, `neuron norm-2-1`, `link …`. */
      readonly rule: string;
      readonly removed: readonly Link[];
      readonly linksBefore: number;
      readonly lambda1: number;
      /** The loss the retraining must get back to. */
      readonly target: number;
    })
  | (EventBase & {
      readonly kind: 'accept';
      readonly round: number;
      readonly preregLoss: number;
      readonly target: number;
      readonly retrainSteps: number;
    })
  | (EventBase & {
      readonly kind: 'backtrack';
      readonly round: number;
      readonly preregLoss: number;
      readonly target: number;
      readonly retrainSteps: number;
      /** Soft links restored. */
      readonly restored: number;
      readonly next: string;
    })
  | (EventBase & { readonly kind: 'drop-dead'; readonly removed: readonly Link[] })
  | (EventBase & { readonly kind: 'merge'; readonly merged: readonly string[] })
  | (EventBase & { readonly kind: 'fine'; readonly reason: string })
  | (EventBase & { readonly kind: 'regrow'; readonly round: number; readonly added: number })
  | (EventBase & {
      readonly kind: 'verdict';
      readonly passed: boolean;
      readonly trainLoss: number;
      readonly validationWorst: number;
      readonly failures: readonly string[];
      /** Why a failed attempt failed, read from its events (diagnosis.ts); absent when it passed. */
      readonly diagnosis?: readonly string[];
    })
  | (EventBase & { readonly kind: 'restart'; readonly attempt: number; readonly reason: string })
  /** A step undone by the spike guard: the loss its update led to, the loss before it, the learning rate from now on. */
  | (EventBase & { readonly kind: 'spike'; readonly phase: Phase; readonly loss: number; readonly before: number; readonly lr: number })
  /** An attended-run control received between steps (prunes apply at the next round boundary). */
  | (EventBase & { readonly kind: 'control'; readonly control: ControlRecord; readonly phase: Phase })
  | (EventBase & { readonly kind: 'prune'; readonly threshold: number; readonly removed: readonly Link[]; readonly linksBefore: number })
  /**
   * The minimality certificate of the result (minimality.ts): the moves it accepted, and for
   * every remaining link the best training loss reached without it; `refused` says why there
   * is none (the result fails its verdict, or the run was cancelled during the check).
   */
  | (EventBase & {
      readonly kind: 'certificate';
      /** Soft links before the check (softLinks: after). */
      readonly linksBefore: number;
      readonly removals: readonly Removal[];
      readonly necessary: readonly LinkEvidence[];
      readonly bypasses: readonly BypassEvidence[];
      readonly bounds: VerdictBounds;
      readonly trainLoss: number;
      readonly validationWorst: number;
      readonly trials: number;
      readonly trialSteps: number;
      readonly refused?: string;
    })
  | (EventBase & {
      readonly kind: 'stop';
      readonly reason: 'target' | 'stalled' | 'budget' | 'cancelled';
      readonly preregLoss: number;
    });
