/**
 * The circuit being trained and its optimiser as one value: every change of structure
 * (a cut, a merge, a regrow, a backtrack) replaces both together, so the optimiser's
 * moments always line up with the circuit's soft links.
 */
import { Adam, type AdamSettings } from '../optim/adam';
import type { Link } from '../machine/spec';
import { applyMerges, applyNeuronMerges, complement, copyCircuit, keepLinks, type Circuit, type Merge, type NeuronMerge } from './circuit';

export interface TrainState {
  readonly circuit: Circuit;
  readonly adam: Adam;
}

/** How the optimiser follows a change of structure: its moments trimmed to the links kept, or a fresh one at `lr`. */
export type OptimizerFollow = { readonly reset: false } | { readonly reset: true; readonly lr: number };

/** A fresh optimiser for `size` weights with the schedule's settings at learning rate `lr`. */
export function freshAdam(settings: AdamSettings, lr: number, size: number): Adam {
  return new Adam(size, { ...settings, lr });
}

/** A copy of the circuit with the same optimiser object: what a backtrack restores. */
export function saveState(s: TrainState): TrainState {
  return { circuit: copyCircuit(s.circuit), adam: s.adam };
}

export class StateSurgery {
  constructor(private readonly settings: AdamSettings) {}

  fresh(circuit: Circuit, lr: number): TrainState {
    return { circuit, adam: freshAdam(this.settings, lr, circuit.weights.length) };
  }

  /** Removes soft links (old indices); the optimiser follows as `follow` says. */
  removeLinks(s: TrainState, drop: readonly number[], follow: OptimizerFollow): { state: TrainState; removed: Link[] } {
    const keep = complement(s.circuit, drop);
    const removed = drop.map((i) => s.circuit.links[i] as Link);
    const circuit = keepLinks(s.circuit, keep);
    const adam = follow.reset ? freshAdam(this.settings, follow.lr, circuit.weights.length) : s.adam.trimmed(keep);
    return { state: { circuit, adam }, removed };
  }

  /** Merges parallel links; the optimiser follows as `follow` says. */
  mergeParallel(s: TrainState, merges: readonly Merge[], follow: OptimizerFollow): TrainState {
    const { circuit, keep } = applyMerges(s.circuit, merges);
    return { circuit, adam: follow.reset ? freshAdam(this.settings, follow.lr, circuit.weights.length) : s.adam.trimmed(keep) };
  }

  /** Merges duplicate neurons: the weights are rescaled, so the optimiser starts afresh at `lr`. */
  mergeNeurons(s: TrainState, merges: readonly NeuronMerge[], lr: number): TrainState {
    return this.fresh(applyNeuronMerges(s.circuit, merges), lr);
  }
}
