/**
 * OpenAI evolution strategies (spec §6) as a Trainer: antithetic pairs θ ± σε, fitness
 * shaping by centred ranks over all 2n evaluations, g = Σ (rank⁺ − rank⁻)·ε / (2nσ) plus
 * weight decay and the exact regulariser gradient, fed to Adam.
 *
 * Perturbations are never sent anywhere: ε of member i in generation g is drawn from the
 * seeded stream (seed, ES, g, i), so whoever holds θ can rebuild it. Parallel evaluators
 * keep replicas of θ and the optimiser and apply the same update from the same scalar
 * losses (`applyEsUpdate`), so only seeds and losses cross thread boundaries.
 */
import type { Adam } from '../optim/adam';
import { Rng } from '../util/rng';
import type { Circuit } from './circuit';
import type { Fit, Regularisation, SetObjective } from './objective';
import { STREAM } from './start';
import type { StepContext, Trainer } from './trainer';

export interface EsSettings {
  readonly sigma: number;
  /** Antithetic pairs per generation. */
  readonly population: number;
  readonly weightDecay: number;
}

/** ε of `member` in `generation`: n standard normal numbers from the run's seeded stream. */
export function perturbation(seed: number, generation: number, member: number, n: number): Float64Array {
  const rng = new Rng(seed, STREAM.es, generation, member);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = rng.normal();
  return e;
}

/**
 * Centred ranks of `values` in [−0.5, 0.5]: the smallest gets −0.5, the largest +0.5;
 * ties are broken by position, so the result is deterministic.
 */
export function centredRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  const out = new Float64Array(n);
  order.forEach((idx, rank) => {
    out[idx] = n > 1 ? rank / (n - 1) - 0.5 : 0;
  });
  return out;
}

/**
 * The ES estimate of ∇loss from the 2n losses of a generation, laid out
 * [member 0 +, member 0 −, member 1 +, member 1 −, …].
 */
export function esGradient(losses: ArrayLike<number>, settings: EsSettings, seed: number, generation: number, n: number): Float64Array {
  const pairs = settings.population;
  if (losses.length !== 2 * pairs) throw new RangeError(`expected ${2 * pairs} losses, got ${losses.length}`);
  const ranks = centredRanks(Array.from(losses, (x) => (Number.isFinite(x) ? x : Number.MAX_VALUE)));
  const g = new Float64Array(n);
  for (let i = 0; i < pairs; i++) {
    const c = (ranks[2 * i] as number) - (ranks[2 * i + 1] as number);
    if (c === 0) continue;
    const e = perturbation(seed, generation, i, n);
    for (let k = 0; k < n; k++) g[k] = (g[k] as number) + c * (e[k] as number);
  }
  const scale = 1 / (2 * pairs * settings.sigma);
  for (let k = 0; k < n; k++) g[k] = (g[k] as number) * scale;
  return g;
}

export interface EsUpdate {
  readonly generation: number;
  readonly losses: readonly number[];
  readonly reg: Regularisation;
  readonly lr: number;
}

/**
 * One ES update of θ in place: the estimate, weight decay, the exact regulariser
 * gradient, then Adam at `lr`. Every replica runs exactly this, in this order.
 */
export function applyEsUpdate(objective: SetObjective, w: Float64Array, adam: Adam, u: EsUpdate, settings: EsSettings, seed: number): void {
  const g = esGradient(u.losses, settings, seed, u.generation, w.length);
  if (settings.weightDecay > 0) for (let k = 0; k < w.length; k++) g[k] = (g[k] as number) + settings.weightDecay * (w[k] as number);
  objective.loss.addRegulariserGradient(w, u.reg.l1, u.reg.l2, g);
  adam.settings = { ...adam.settings, lr: u.lr };
  adam.update(w, g);
}

/**
 * Losses (no regulariser) of θ ± σε for members [from, to) of a generation, in layout
 * order, evaluated as one population (on the fast engine, in candidate lanes).
 */
export function evaluateMembers(
  objective: SetObjective,
  w: Float64Array,
  settings: EsSettings,
  seed: number,
  generation: number,
  step: number,
  from: number,
  to: number,
): number[] {
  const probes: Float64Array[] = [];
  for (let i = from; i < to; i++) {
    const e = perturbation(seed, generation, i, w.length);
    for (const sign of [1, -1]) {
      const probe = new Float64Array(w.length);
      for (let k = 0; k < w.length; k++) probe[k] = (w[k] as number) + sign * settings.sigma * (e[k] as number);
      probes.push(probe);
    }
  }
  if (probes.length === 0) return [];
  return objective.preregLosses(probes, step);
}

/** Evaluates a generation's population, possibly on replicas in other threads. */
export interface PopulationEvaluator {
  /** The structure or optimiser state changed: replicas reload θ and the optimiser from here. */
  sync(circuit: Circuit, adam: Adam): Promise<void>;
  /**
   * All 2n losses of `generation` at the current θ. `pending` is the update the main
   * thread applied since the last call: replicas apply it first.
   */
  evaluate(generation: number, step: number, pending: EsUpdate | undefined): Promise<number[]>;
  close(): Promise<void>;
}

/** Evaluates the population in the calling thread (no replicas needed). */
export class LocalEvaluator implements PopulationEvaluator {
  private objective: SetObjective | undefined;
  private w: Float64Array | undefined;

  constructor(
    private readonly settings: EsSettings,
    private readonly seed: number,
  ) {}

  /** The main thread's objective and weights are shared directly. */
  attach(objective: SetObjective, w: Float64Array): void {
    this.objective = objective;
    this.w = w;
  }

  async sync(): Promise<void> {}

  async evaluate(generation: number, step: number): Promise<number[]> {
    if (!this.objective || !this.w) throw new Error('LocalEvaluator used before attach()');
    return evaluateMembers(this.objective, this.w, this.settings, this.seed, generation, step, 0, this.settings.population);
  }

  async close(): Promise<void> {}
}

/** Evolution strategies behind the Trainer interface. */
export class EsTrainer implements Trainer {
  readonly kind = 'es';
  private pending: EsUpdate | undefined;

  constructor(
    private readonly settings: EsSettings,
    private readonly seed: number,
    private readonly evaluator: PopulationEvaluator,
  ) {}

  async step({ objective, w, adam, reg, step }: StepContext): Promise<Fit> {
    if (this.evaluator instanceof LocalEvaluator) this.evaluator.attach(objective, w);
    const losses = await this.evaluator.evaluate(step, step, this.pending);
    const fit = objective.evaluate(w, reg, step);
    const u: EsUpdate = { generation: step, losses, reg, lr: adam.settings.lr };
    applyEsUpdate(objective, w, adam, u, this.settings, this.seed);
    this.pending = u;
    return fit;
  }

  async sync(circuit: Circuit, adam: Adam): Promise<void> {
    this.pending = undefined;
    await this.evaluator.sync(circuit, adam);
  }

  async close(): Promise<void> {
    await this.evaluator.close();
  }
}
