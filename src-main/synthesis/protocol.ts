/**
 * Messages between a synthesis run and its worker threads. Per step only scalars, seeds
 * and (for gradients) the weights and per-string gradients cross; the circuit is sent once
 * per structural change.
 */
import type { Link, MachineSpec } from '../../src-shared/machine/spec';
import type { EngineName } from '../../src-shared/machine/engine-choice';
import type { AdamSettings, AdamState } from '../../src-shared/optim/adam';
import type { EsSettings, EsUpdate } from '../../src-shared/synthesis/es';
import type { StringFit } from '../../src-shared/synthesis/objective';
import type { Problem } from '../../src-shared/problems/problem';
import type { Schedule } from '../../src-shared/synthesis/schedule';

export interface WorkerInit {
  readonly seed: number;
  readonly training: Schedule['training'];
  readonly testSuite: Schedule['testSuite'];
  readonly gradients: 'exact' | 'prototype';
  readonly es?: EsSettings;
  /** The engine the main thread uses (the workers use the same). */
  readonly engine: EngineName;
  /** The problem of the run (absent: the duplicate detector). */
  readonly problem?: Problem;
}

export type WorkerRequest =
  | {
      readonly kind: 'sync';
      readonly id: number;
      readonly base: MachineSpec;
      readonly links: readonly Link[];
      readonly weights: readonly number[];
      readonly adam: { readonly settings: AdamSettings; readonly state: AdamState };
    }
  | {
      /** Evolution strategies: apply the pending update to the replica, then evaluate members [from, to). */
      readonly kind: 'es';
      readonly id: number;
      readonly generation: number;
      readonly step: number;
      readonly from: number;
      readonly to: number;
      readonly pending: EsUpdate | undefined;
    }
  | {
      /** Gradients: the fit and gradient of the given strings at these weights. */
      readonly kind: 'grad';
      readonly id: number;
      readonly step: number;
      readonly strings: readonly number[];
      readonly weights: Float64Array;
    };

export type WorkerReply =
  | { readonly kind: 'synced'; readonly id: number }
  | { readonly kind: 'losses'; readonly id: number; readonly losses: number[] }
  | { readonly kind: 'grads'; readonly id: number; readonly fits: StringFit[]; readonly grads: Float64Array[] }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type WorkerRequestBody = WithoutId<WorkerRequest>;
