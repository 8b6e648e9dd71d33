/**
 * The cut policy of sparsification: which soft links a round tries to remove, the loss a
 * retrain must get back to for the cut to be accepted, and when a structure that cannot
 * fit calls for regrowing. Coarse rounds cut many links at once by the schedule's rule
 * (threshold, fraction or count), scaled down by backtracking; fine rounds try one
 * interneuron or one link at a time, least contributing first.
 */
import { linkLabel, type Link } from '../machine/spec';
import { interneuronsOf, type Circuit } from './circuit';
import type { SetObjective } from './objective';
import type { Schedule } from './schedule';

export interface Candidate {
  readonly rule: string;
  /** Soft links to remove (indices into the current circuit). */
  readonly drop: readonly number[];
}

type Rounds = Schedule['rounds'];

/** Soft link indices from the least to the most contributing (ties by index). */
export function byContribution(objective: SetObjective, circuit: Circuit): { order: number[]; contribution: Float64Array } {
  const contribution = objective.contributions(circuit.weights);
  const order = Array.from(contribution.keys()).sort((a, b) => (contribution[a] as number) - (contribution[b] as number) || a - b);
  return { order, contribution };
}

/**
 * Coarse cut of the circuit by the schedule's rule, scaled by `scale` (backtracking). Links
 * are ranked by contribution (|w| × their source's RMS activity); the threshold rule
 * compares |w| itself.
 */
export function coarseCut(
  objective: SetObjective,
  circuit: Circuit,
  cut: Rounds['cut'],
  scale: number,
  threshold: number,
): Candidate | undefined {
  const w = circuit.weights;
  const { order } = byContribution(objective, circuit);
  let k: number;
  let rule: string;
  if (cut.kind === 'threshold') {
    k = Array.from(w).filter((x) => Math.abs(x) < threshold).length;
    k = Math.floor(k * scale);
    rule = `threshold ${threshold.toPrecision(3)}`;
    if (k < 1) return undefined;
    const byMagnitude = Array.from(w.keys()).sort((a, b) => Math.abs(w[a] as number) - Math.abs(w[b] as number) || a - b);
    return { rule, drop: byMagnitude.slice(0, k) };
  }
  if (cut.kind === 'fraction') {
    k = Math.floor(w.length * cut.fraction * scale);
    rule = `fraction ${(cut.fraction * scale).toPrecision(3)}`;
  } else {
    k = Math.floor(cut.count * scale);
    rule = `count ${k}`;
  }
  if (k < 1) return undefined;
  return { rule, drop: order.slice(0, Math.min(k, w.length)) };
}

/** Fine candidates: each interneuron (all its soft links), least contributing first, then each link. */
export function fineCandidates(objective: SetObjective, circuit: Circuit): Candidate[] {
  const { links } = circuit;
  const { order, contribution } = byContribution(objective, circuit);
  const outContribution = (n: string) => links.reduce((s, l, i) => s + (l.from === n ? (contribution[i] as number) : 0), 0);
  const neurons = interneuronsOf(circuit)
    .map((n) => [n, outContribution(n)] as const)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const out: Candidate[] = neurons.map(([n]) => ({
    rule: `neuron ${n}`,
    drop: links.flatMap((l, i) => (l.to === n || l.from === n ? [i] : [])),
  }));
  for (const i of order) out.push({ rule: `link ${linkLabel(links[i] as Link)}`, drop: [i] });
  return out;
}

/** The loss a retrain must reach for a cut to be accepted: the ceiling, or a tolerance above the best so far. */
export function acceptTarget(rounds: Rounds, fine: boolean, best: number): number {
  return Math.max(fine ? rounds.accept.fineCeiling : rounds.accept.ceiling, (1 + rounds.accept.tolerance) * best);
}

/** What a backtrack does next, in words for its event. */
export function afterBacktrack(rounds: Rounds, fine: boolean, outOfBudget: boolean, next: Candidate | undefined): string {
  if (outOfBudget) return 'step budget spent';
  if (!fine) return `cut ${rounds.backtrack.gentler}× as much`;
  return next ? `try ${next.rule}` : 'no candidate left';
}

/**
 * A polished fit this far from exact means the structure is wrong: regrow if the schedule
 * allows another regrow, the budget has steps left and the circuit is already small.
 */
export function shouldRegrow(s: Schedule, polishedLoss: number, regrows: number, budgetLeft: number, softLinks: number): boolean {
  return polishedLoss > s.regrow.above && regrows < s.regrow.max && budgetLeft > 0 && softLinks <= s.rounds.fineBelow;
}
