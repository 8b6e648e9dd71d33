/**
 * The minimality certificate of a circuit: why it cannot be smaller.
 *
 * Each move that would make the circuit smaller is tried by retraining briefly from the
 * current weights (a fresh optimiser, no regulariser) and judging the result by the verdict
 * of synthesis (training loss and worst validation error within bounds). The moves:
 *
 * - removing one soft link (this covers merging two parallel links that are not exactly
 *   mergeable: removing one and retraining lets the other take over);
 * - replacing an interneuron whose output holds still by the constant neuron: its links go
 *   and each consumer gets a link from `const_1` (a constant made in two links, e.g. a
 *   compare of const_1 or the norm of the end-of-sentence character, needs one);
 * - bypassing a relaying compare (or identity) with one soft input or one soft output: its
 *   input and output links become direct links from its sources to its consumers, weight
 *   w_in·w_out with the sign the neuron gives (a signal relayed through a neuron costs one
 *   link more than a direct link, though it arrives a cycle later).
 *
 * Added links must be admitted by `allowed` (synthesis: the links its start could have).
 *
 * Moves that cannot change the function are applied first without retraining (links that
 * cannot matter, exactly mergeable parallel links). Any move that keeps the verdict is
 * accepted and the search goes on from the smaller circuit, pass after pass, until a whole
 * pass accepts nothing. The certificate is that last pass: for every remaining link the
 * best training loss reached without it (and for every neuron move tried, the best loss
 * it reached). It is evidence from a bounded search, not a proof: a longer retrain might
 * still remove a link.
 *
 * Deterministic: the same circuit and settings give the same certificate.
 */
import type { GradientMode } from '../machine/neuron-types';
import { neuronType } from '../machine/neuron-types';
import { linkLabel, matrixLinks, type Link } from '../machine/spec';
import { Adam, type AdamSettings } from '../optim/adam';
import { sinkNeurons } from '../problems/frame';
import { symbolsOf, type Problem } from '../problems/problem';
import { frameOf } from '../problems/problem-frame';
import { taskOf, TeacherTargets } from '../problems/targets';
import {
  circuitToSpec,
  deadLinks,
  keepLinks,
  linkKey,
  parallelMerges,
  applyMerges,
  complement,
  copyCircuit,
  sortedLinks,
  type Circuit,
} from './circuit';
import type { DataString } from './dataset';
import { SetObjective } from './objective';
import type { Schedule } from './schedule';
import { runTestSuite } from './test-suite';

/** How a move is judged: its brief retrain. */
export interface CertificateSettings {
  /** Most retraining steps per move. */
  readonly steps: number;
  /** Adam's learning rate (decaying linearly to 10 % over the steps). */
  readonly lr: number;
}

/** The verdict a smaller circuit must keep (the restart bounds of synthesis). */
export interface VerdictBounds {
  /** Training loss (full windows, no regulariser) at most this. */
  readonly trainLoss: number;
  /** Worst per-element squared error on the validation strings at most this. */
  readonly validationWorst: number;
}

/** What the certificate is checked on: the problem's data, targets and what a bypass may add. */
export interface MinimalityContext {
  readonly training: readonly DataString[];
  readonly validation: readonly DataString[];
  /** Every symbol the strings make the input emit. */
  readonly alphabet: readonly string[];
  readonly targets: TeacherTargets;
  /** Neurons whose inputs the loss reads (links that cannot reach them cannot matter). */
  readonly sinks: readonly string[];
  readonly mode: GradientMode;
  readonly adam: Omit<AdamSettings, 'lr'>;
  readonly bounds: VerdictBounds;
  readonly settings: CertificateSettings;
  /** Links a bypass may add (default: any). */
  readonly allowed?: (l: Link) => boolean;
  /** Awaited every `pollEvery` retraining steps and between moves (may throw to cancel). */
  readonly poll?: () => Promise<void> | void;
  readonly pollEvery?: number;
}

export type RemovalKind = 'dead' | 'merge' | 'remove' | 'bypass' | 'constant';

/** One accepted move. */
export interface Removal {
  readonly kind: RemovalKind;
  /** Links it took out (labels `to.port ← from.port`). */
  readonly removed: readonly string[];
  /** Links it put in (a bypass's direct links). */
  readonly added: readonly string[];
  /** Training loss after the move (and its retrain). */
  readonly lossAfter: number;
}

/** Evidence that a link is needed: the best training loss reached without it. */
export interface LinkEvidence {
  readonly link: string;
  readonly lossWithout: number;
}

/** Evidence that a neuron can be neither bypassed nor replaced by a constant. */
export interface BypassEvidence {
  readonly neuron: string;
  readonly move: 'bypass' | 'constant';
  readonly lossWithout: number;
}

export interface Certificate {
  /** Soft links of the circuit the check was given. */
  readonly softLinks: number;
  /** Soft links of the certified circuit. */
  readonly certifiedLinks: number;
  /** Links of the given circuit that are not in the certified one. */
  readonly removable: readonly string[];
  /** The accepted moves, in order. */
  readonly removals: readonly Removal[];
  /** Every link of the certified circuit, with the best loss reached without it. */
  readonly necessary: readonly LinkEvidence[];
  /** Every bypass tried on the certified circuit, with the best loss reached. */
  readonly bypasses: readonly BypassEvidence[];
  readonly bounds: VerdictBounds;
  readonly settings: CertificateSettings;
  /** The certified circuit's training loss and worst validation error. */
  readonly trainLoss: number;
  readonly validationWorst: number;
  /** Moves tried and the retraining steps they took. */
  readonly trials: number;
  readonly steps: number;
}

/** The circuit does not keep the verdict even before any link is removed: there is nothing to certify. */
export class NotSolvedError extends Error {
  constructor(
    message: string,
    readonly trainLoss: number,
    readonly validationWorst: number,
  ) {
    super(message);
    this.name = 'NotSolvedError';
  }
}

interface Trial {
  readonly circuit: Circuit;
  /** Best training loss seen (each step's fit before its update, and the final fit). */
  readonly best: number;
  readonly trainLoss: number;
  readonly validationWorst: number;
  readonly passed: boolean;
  readonly steps: number;
}

interface Move {
  readonly kind: 'remove' | 'bypass' | 'constant';
  /** Identifies the move within a pass. */
  readonly key: string;
  readonly label: string;
  /** The circuit after the move, before retraining. */
  readonly circuit: Circuit;
  readonly removed: readonly Link[];
  readonly added: readonly Link[];
}

/** Sign of a neuron's output port with respect to its input port, for a bypass's starting weight. */
function portSign(type: string, toPort: string, fromPort: string): number {
  if (type === 'compare') return (toPort === 'dict-1') === (fromPort === 'true') ? 1 : -1;
  return 1;
}

/**
 * Types a bypass may relay through: a scalar in, a scalar out (relu of it, or itself). Not
 * accumulators (memory), dot (two inputs) or norm (a maximum over a dictionary).
 */
const BYPASSABLE = new Set(['compare', 'identity']);

/** Types whose output a constant may replace (their only links are soft; accumulators count). */
const CONSTANT_CANDIDATES = new Set(['compare', 'norm', 'identity', 'dot']);

export class MinimalityCheck {
  private trials = 0;
  private steps = 0;
  private readonly pollEvery: number;

  constructor(private readonly ctx: MinimalityContext) {
    this.pollEvery = ctx.pollEvery ?? 50;
  }

  /**
   * Certifies `given` (not modified): returns the smallest circuit the moves reach and its
   * certificate. Throws NotSolvedError when `given` fails the verdict even after a retrain.
   */
  async certify(given: Circuit): Promise<{ circuit: Circuit; certificate: Certificate }> {
    const exact = this.exactSimplify(copyCircuit(given));
    let circuit = exact.circuit;
    let current = this.judge(circuit);
    if (!current.passed) {
      // judged after the same brief retrain a smaller circuit gets
      const retrained = await this.retrain(circuit);
      if (!retrained.passed) throw new NotSolvedError(this.failure(retrained), retrained.trainLoss, retrained.validationWorst);
      circuit = retrained.circuit;
      current = retrained;
    }
    const removals: Removal[] = exact.removals.map((r) => ({ ...r, lossAfter: current.trainLoss }));
    let necessary: LinkEvidence[];
    let bypasses: BypassEvidence[];
    for (;;) {
      necessary = [];
      bypasses = [];
      let accepted = false;
      const tried = new Set<string>();
      for (;;) {
        const move = this.moves(circuit).find((m) => !tried.has(m.key));
        if (!move) break;
        tried.add(move.key);
        await this.ctx.poll?.();
        const t = await this.retrain(move.circuit);
        if (t.passed) {
          const before = circuit;
          circuit = this.exactSimplify(t.circuit).circuit;
          const gone = before.links.filter((l) => !circuit.links.some((k) => linkKey(k) === linkKey(l)));
          const added = circuit.links.filter((l) => !before.links.some((k) => linkKey(k) === linkKey(l)));
          removals.push({ kind: move.kind, removed: gone.map(linkLabel), added: added.map(linkLabel), lossAfter: t.trainLoss });
          current = t;
          accepted = true;
          // what failed before may pass on the smaller circuit only in a later pass; evidence restarts
          necessary = [];
          bypasses = [];
          continue;
        }
        if (move.kind === 'remove') necessary.push({ link: move.label, lossWithout: t.best });
        else bypasses.push({ neuron: move.label, move: move.kind, lossWithout: t.best });
      }
      if (!accepted) break;
    }
    const kept = new Set(circuit.links.map(linkKey));
    const order = new Map(circuit.links.map((l, i) => [linkLabel(l), i]));
    necessary.sort((a, b) => (order.get(a.link) ?? 0) - (order.get(b.link) ?? 0));
    return {
      circuit,
      certificate: {
        softLinks: given.links.length,
        certifiedLinks: circuit.links.length,
        removable: given.links.filter((l) => !kept.has(linkKey(l))).map(linkLabel),
        removals,
        necessary,
        bypasses,
        bounds: this.ctx.bounds,
        settings: this.ctx.settings,
        trainLoss: current.trainLoss,
        validationWorst: current.validationWorst,
        trials: this.trials,
        steps: this.steps,
      },
    };
  }

  private failure(t: Trial): string {
    const b = this.ctx.bounds;
    const parts = [
      !(t.trainLoss <= b.trainLoss) ? `training loss ${t.trainLoss.toPrecision(3)} > ${b.trainLoss}` : '',
      // the validation strings run only once the training loss passes
      t.validationWorst > b.validationWorst ? `validation worst ${t.validationWorst.toPrecision(3)} > ${b.validationWorst}` : '',
    ].filter(Boolean);
    return `the circuit does not solve the problem even after ${this.ctx.settings.steps} steps of retraining: ${parts.join(', ')}`;
  }

  /** Drops links that cannot matter and merges exactly mergeable parallel links (no retraining needed). */
  private exactSimplify(circuit: Circuit): { circuit: Circuit; removals: Omit<Removal, 'lossAfter'>[] } {
    let c = circuit;
    const removals: Omit<Removal, 'lossAfter'>[] = [];
    for (;;) {
      const merges = parallelMerges(c);
      if (merges.length) {
        const removed = merges.map((m) => linkLabel(c.links[m.absorbed] as Link));
        c = applyMerges(c, merges).circuit;
        removals.push({ kind: 'merge', removed, added: [] });
        continue;
      }
      const dead = deadLinks(c, this.ctx.sinks);
      if (dead.length) {
        removals.push({ kind: 'dead', removed: dead.map((i) => linkLabel(c.links[i] as Link)), added: [] });
        c = keepLinks(c, complement(c, dead));
        continue;
      }
      return { circuit: c, removals };
    }
  }

  /** The moves on `circuit`: each link's removal (least contributing first), then each bypass. */
  private moves(circuit: Circuit): Move[] {
    const objective = this.objective(circuit);
    const contribution = objective.contributions(circuit.weights);
    const order = Array.from(contribution.keys()).sort((a, b) => (contribution[a] as number) - (contribution[b] as number) || a - b);
    const out: Move[] = order.map((i) => {
      const l = circuit.links[i] as Link;
      return {
        kind: 'remove',
        key: `remove ${linkKey(l)}`,
        label: linkLabel(l),
        circuit: keepLinks(circuit, complement(circuit, [i])),
        removed: [l],
        added: [],
      };
    });
    return [...out, ...this.constantMoves(circuit, contribution), ...this.bypassMoves(circuit)];
  }

  /**
   * Replacing an interneuron whose output holds still by a constant: its links go, and each
   * of its consumers gets a link from the constant neuron instead, weight w_out × the RMS of
   * the neuron's output over the training strings (compare and norm outputs are never
   * negative). A neuron that only relays a constant (the constant made by a compare of
   * const_1, or the norm of the end-of-sentence character) costs its input links.
   */
  private constantMoves(circuit: Circuit, contribution: Float64Array): Move[] {
    const constant = circuit.base.neurons.find((n) => n.type === 'const_1');
    if (!constant) return [];
    const source = { from: constant.name, fromPort: 'const_1' };
    const types = new Map(circuit.base.neurons.map((n) => [n.name, n.type]));
    const hard = matrixLinks(circuit.base.fixed);
    const allowed = this.ctx.allowed ?? (() => true);
    const out: Move[] = [];
    for (const n of [...new Set(circuit.links.map((l) => l.from))].sort()) {
      const type = types.get(n);
      if (type === undefined || !CONSTANT_CANDIDATES.has(type) || hard.some((l) => l.to === n || l.from === n)) continue;
      const ins = circuit.links.flatMap((l, i) => (l.to === n ? [i] : []));
      const outs = circuit.links.flatMap((l, i) => (l.from === n ? [i] : []));
      if (ins.length === 0 || outs.some((i) => ins.includes(i))) continue;
      const replaced = outs.map((o) => {
        const l = circuit.links[o] as Link;
        const w = circuit.weights[o] as number;
        const rms = w === 0 ? 0 : (contribution[o] as number) / Math.abs(w);
        const direct: Link = { to: l.to, toPort: l.toPort, ...source };
        return [direct, w * rms] as const;
      });
      if (replaced.some(([l]) => !allowed(l))) continue;
      const next = this.rewired(circuit, new Set([...ins, ...outs]), replaced);
      if (next.circuit.links.length >= circuit.links.length) continue;
      out.push({
        kind: 'constant',
        key: `constant ${n}`,
        label: n,
        circuit: next.circuit,
        removed: [...ins, ...outs].map((i) => circuit.links[i] as Link),
        added: next.added,
      });
    }
    return out;
  }

  /** `circuit` without the links `gone`, plus `extra` (weights added onto a link it already has). */
  private rewired(
    circuit: Circuit,
    gone: ReadonlySet<number>,
    extra: readonly (readonly [Link, number])[],
  ): { circuit: Circuit; added: Link[] } {
    const weights = new Map<string, [Link, number]>();
    circuit.links.forEach((l, i) => {
      if (!gone.has(i)) weights.set(linkKey(l), [l, circuit.weights[i] as number]);
    });
    const added: Link[] = [];
    for (const [l, w] of extra) {
      const prev = weights.get(linkKey(l));
      if (!prev && !added.some((a) => linkKey(a) === linkKey(l))) added.push(l);
      weights.set(linkKey(l), [l, (prev?.[1] ?? 0) + w]);
    }
    const links = sortedLinks([...weights.values()].map(([l]) => l));
    return {
      circuit: { base: circuit.base, links, weights: Float64Array.from(links, (l) => (weights.get(linkKey(l)) as [Link, number])[1]) },
      added,
    };
  }

  private bypassMoves(circuit: Circuit): Move[] {
    const types = new Map(circuit.base.neurons.map((n) => [n.name, n.type]));
    const hard = matrixLinks(circuit.base.fixed);
    const allowed = this.ctx.allowed ?? (() => true);
    const out: Move[] = [];
    const names = [...new Set(circuit.links.flatMap((l) => [l.to, l.from]))].sort();
    for (const n of names) {
      const type = types.get(n);
      if (type === undefined || !neuronType(type).interneuron || !BYPASSABLE.has(type)) continue;
      if (hard.some((l) => l.to === n || l.from === n)) continue;
      const ins = circuit.links.flatMap((l, i) => (l.to === n ? [i] : []));
      const outs = circuit.links.flatMap((l, i) => (l.from === n ? [i] : []));
      if (ins.length === 0 || outs.length === 0 || ins.some((i) => outs.includes(i))) continue;
      // a bypass must make the circuit smaller
      if (ins.length * outs.length >= ins.length + outs.length) continue;
      const direct = new Map<string, [Link, number]>();
      for (const i of ins) {
        for (const o of outs) {
          const a = circuit.links[i] as Link;
          const b = circuit.links[o] as Link;
          const l: Link = { to: b.to, toPort: b.toPort, from: a.from, fromPort: a.fromPort };
          const w = portSign(type, a.toPort, b.fromPort) * (circuit.weights[i] as number) * (circuit.weights[o] as number);
          const prev = direct.get(linkKey(l));
          direct.set(linkKey(l), [l, (prev?.[1] ?? 0) + w]);
        }
      }
      if ([...direct.values()].some(([l]) => !allowed(l))) continue;
      const gone = new Set([...ins, ...outs]);
      const { circuit: next, added } = this.rewired(circuit, gone, [...direct.values()]);
      if (next.links.length >= circuit.links.length) continue;
      out.push({
        kind: 'bypass',
        key: `bypass ${n}`,
        label: n,
        circuit: next,
        removed: [...gone].map((i) => circuit.links[i] as Link),
        added,
      });
    }
    return out;
  }

  private objective(circuit: Circuit): SetObjective {
    const c = this.ctx;
    return new SetObjective(circuit, c.training, c.alphabet, c.mode, undefined, c.targets);
  }

  /** The verdict of `circuit` as it is. */
  private judge(circuit: Circuit): Trial {
    const trainLoss = this.objective(circuit).fitFull(circuit.weights).preregLoss;
    return this.withValidation(circuit, trainLoss, trainLoss, 0);
  }

  private withValidation(circuit: Circuit, best: number, trainLoss: number, steps: number): Trial {
    const b = this.ctx.bounds;
    // the validation strings are only run when the training loss passes (they are long)
    const validationWorst =
      trainLoss <= b.trainLoss ? runTestSuite(circuitToSpec(circuit), this.ctx.validation, this.ctx.targets).worst : Number.NaN;
    const passed = trainLoss <= b.trainLoss && validationWorst <= b.validationWorst;
    return { circuit, best: Number.isNaN(best) ? Number.POSITIVE_INFINITY : best, trainLoss, validationWorst, passed, steps };
  }

  /** A brief retrain of `start` (copied): fresh Adam, decaying learning rate, no regulariser. */
  private async retrain(start: Circuit): Promise<Trial> {
    const { settings } = this.ctx;
    const circuit = copyCircuit(start);
    const objective = this.objective(circuit);
    const w = circuit.weights;
    const adam = new Adam(w.length, { ...this.ctx.adam, lr: settings.lr });
    const grad = new Float64Array(w.length);
    // a loss this small is exact to rounding: more steps change nothing
    const exact = this.ctx.bounds.trainLoss * 1e-12;
    let best = Number.POSITIVE_INFINITY;
    let done = 0;
    this.trials++;
    for (; done < settings.steps; done++) {
      if (done > 0 && done % this.pollEvery === 0) await this.ctx.poll?.();
      grad.fill(0);
      adam.settings = { ...adam.settings, lr: settings.lr * (1 - (0.9 * done) / settings.steps) };
      const fit = objective.evaluate(w, { l1: 0, l2: 0 }, Number.MAX_SAFE_INTEGER, grad);
      if (!Number.isFinite(fit.preregLoss)) break;
      best = Math.min(best, fit.preregLoss);
      if (fit.preregLoss <= exact) break;
      adam.update(w, grad);
    }
    this.steps += done;
    const final = objective.fitFull(w).preregLoss;
    if (Number.isFinite(final)) best = Math.min(best, final);
    return this.withValidation(circuit, best, Number.isFinite(final) ? final : Number.POSITIVE_INFINITY, done);
  }
}

/** The context of a certificate for a run of `schedule` on `problem`: its training and validation data, its verdict bounds. */
export function certificateContext(
  schedule: Schedule,
  problem: Problem,
  extras: Pick<MinimalityContext, 'allowed' | 'poll' | 'pollEvery'> = {},
): MinimalityContext {
  const targets = new TeacherTargets(taskOf(problem));
  const strings = [...schedule.training.strings, ...schedule.restarts.validation, ...schedule.testSuite];
  const { lr: _lr, ...adam } = schedule.optimizer;
  return {
    training: schedule.training.strings,
    validation: schedule.restarts.validation,
    alphabet: symbolsOf(
      strings.map((s) => s.text),
      targets.task.mode,
    ),
    targets,
    sinks: sinkNeurons(frameOf(problem)),
    mode: schedule.estimator.kind === 'gradient' ? schedule.estimator.gradients : 'exact',
    adam,
    bounds: { trainLoss: schedule.restarts.trainLoss, validationWorst: schedule.restarts.validationWorst },
    settings: { steps: schedule.certificate.steps, lr: schedule.certificate.lr },
    ...extras,
  };
}
