/**
 * The loss of a problem: run a machine on a string for T cycles beside the teacher's
 * targets and add, after each cycle, the squared differences of every compared output — a
 * scalar output at its one path, a tree output at every path either side can hold (Σ over
 * paths) — then λ1·Σ|w| + λ2·Σw² over the soft links outside the timer and input rows.
 *
 * The API is "machine + per-cycle targets of compared outputs": `fit` takes the weights,
 * the string and the window, reads the targets from a TeacherTargets, and returns the sum
 * and the largest single squared difference, adding the exact gradient when asked. Two
 * implementations: the compiled engine (static matrices) and the interpreter (machines with
 * a `Self` neuron, whose matrix changes while they run). On the compiled engine's machines,
 * fits run on the fast engine (machine/fast/) when the task compares scalars at the root on
 * character input and the machine's weight-dependent neurons are ones it runs.
 */
import { Tape, type SVar, type VVar } from '../autodiff/tape';
import { CompiledMachine } from '../machine/compiled';
import { fastMachineFor, getDefaultEngine, type EngineName } from '../machine/engine-choice';
import type { FastMachine, LaneResult } from '../machine/fast/engine';
import { Interpreter } from '../machine/interpreter';
import { NEURON_TYPES, type GradientMode } from '../machine/neuron-types';
import { matrixLinks, vectorToMatrix, type Link, type MachineSpec } from '../machine/spec';
import { get, leaves, pathKey, type Path } from '../vvalue/vvalue';
import { isUnder } from './problem';
import { UNREGULARISED_ROWS } from './regulariser';
import { needsInterpreter, portIndex, TeacherTargets, type OutputTargets, type Targets, type Task } from './targets';

export interface LossSettings {
  /** Cycles T of the run (full back-propagation through all of them). */
  readonly cycles: number;
  /** λ1, the weight of Σ|w|. */
  readonly l1: number;
  /** λ2, the weight of Σw². */
  readonly l2: number;
  readonly gradients: GradientMode;
}

export interface LossReport {
  /** Σ over cycles of the squared output differences, before the regulariser. */
  readonly preregLoss: number;
  /** preregLoss + λ1·l1 + λ2·l2. */
  readonly loss: number;
  /** Σ|w| over regularised soft links. */
  readonly l1: number;
  /** Σw² over regularised soft links. */
  readonly l2: number;
  readonly softLinks: number;
  /** Largest squared difference of one output element at one cycle. */
  readonly worstError: number;
}

export interface Fitted {
  readonly preregLoss: number;
  readonly worstError: number;
}

/** Validates loss settings, naming the offending field. */
export function checkLossSettings(s: LossSettings): void {
  if (!Number.isInteger(s.cycles) || s.cycles < 1 || s.cycles > 100_000) {
    throw new RangeError(`cycles must be an integer in [1, 100000], got ${s.cycles}`);
  }
  for (const key of ['l1', 'l2'] as const) {
    if (!Number.isFinite(s[key]) || s[key] < 0) throw new RangeError(`${key} must be a finite number ≥ 0, got ${s[key]}`);
  }
  if (s.gradients !== 'exact' && s.gradients !== 'prototype') {
    throw new RangeError(`gradients must be "exact" or "prototype", got ${String(s.gradients)}`);
  }
}

/** Refuses an empty population (a RangeError naming it). */
function checkPopulation(ws: readonly Float64Array[]): void {
  if (ws.length === 0) throw new RangeError('a population needs at least one candidate, got 0');
}

/** What both implementations share: parameters, the regulariser, the report. */
export abstract class CircuitLoss {
  /** The soft links in parameter order (sorted). */
  abstract readonly params: readonly Link[];
  protected abstract readonly regularised: Uint8Array;

  get paramCount(): number {
    return this.params.length;
  }

  /**
   * The squared output differences of weights `w` on string `text` over `cycles` cycles
   * (no regulariser): their sum and their largest element. With `grad`, adds d(sum)/dw.
   */
  abstract fit(w: Float64Array, text: string, cycles: number, mode: GradientMode, grad?: Float64Array): Fitted;

  /**
   * The fits of many weight vectors (an evolution-strategies population) on one string,
   * without gradients, in order: each what `fit` gives it alone.
   */
  fitMany(ws: readonly Float64Array[], text: string, cycles: number, mode: GradientMode): Fitted[] {
    checkPopulation(ws);
    return ws.map((w) => this.fit(w, text, cycles, mode));
  }

  /**
   * Activity of each soft link's source on a string: adds Σ_t ‖output(t)‖² of the link's
   * source port to `acc[param]` and returns the cycles counted.
   */
  abstract addSourceActivity(w: Float64Array, text: string, cycles: number, acc: Float64Array): number;

  /** The trainable weights of a matrix with exactly these soft links, in parameter order. */
  paramVector(trainable: MachineSpec['trainable']): Float64Array {
    const links = matrixLinks(trainable);
    if (links.length !== this.params.length) {
      throw new Error(`matrix has ${links.length} soft links, the machine ${this.params.length}`);
    }
    return Float64Array.from(links, (l) => l.weight);
  }

  /** Regulariser terms of `w`: [Σ|w|, Σw²] over regularised links. */
  regulariser(w: Float64Array): [number, number] {
    let l1 = 0;
    let l2 = 0;
    for (let i = 0; i < w.length; i++) {
      if (!this.regularised[i]) continue;
      const x = w[i] as number;
      l1 += Math.abs(x);
      l2 += x * x;
    }
    return [l1, l2];
  }

  /** Adds the gradient of λ1·Σ|w| + λ2·Σw² (regularised links only) to `grad`. */
  addRegulariserGradient(w: Float64Array, l1: number, l2: number, grad: Float64Array): void {
    for (let i = 0; i < w.length; i++) {
      if (!this.regularised[i]) continue;
      const x = w[i] as number;
      grad[i] = (grad[i] as number) + l1 * Math.sign(x) + 2 * l2 * x;
    }
  }

  /** Refuses a window the engines cannot run (the same RangeError on every engine). */
  protected checkCycles(cycles: number): void {
    if (!Number.isInteger(cycles) || cycles < 1 || cycles > 100_000) {
      throw new RangeError(`cycles must be an integer in [1, 100000], got ${cycles}`);
    }
  }

  /** Loss of weights `w` on `text`. When `grad` is given, dLoss/dw is added to it (regulariser included). */
  evaluate(w: Float64Array, text: string, settings: LossSettings, grad?: Float64Array): LossReport {
    const { preregLoss, worstError } = this.fit(w, text, settings.cycles, settings.gradients, grad);
    const [l1, l2] = this.regulariser(w);
    if (grad) this.addRegulariserGradient(w, settings.l1, settings.l2, grad);
    return { preregLoss, loss: preregLoss + settings.l1 * l1 + settings.l2 * l2, l1, l2, softLinks: w.length, worstError };
  }
}

function regularisedOf(params: readonly Link[]): Uint8Array {
  return Uint8Array.from(params, (l) => (UNREGULARISED_ROWS.has(l.to) ? 0 : 1));
}

/**
 * How one compared output is read on the student: for each compared path, the student's
 * layout index (−1: the student cannot hold it, its value is 0) and the target's column
 * (−1: the teacher never holds it, the target is 0).
 */
interface OutputPlan {
  readonly offset: number;
  readonly student: Int32Array;
  readonly target: Int32Array;
  readonly width: number;
}

/** The loss on the compiled engine (machines without `Self`). */
export class CompiledLoss extends CircuitLoss {
  readonly machine: CompiledMachine;
  readonly params: readonly Link[];
  protected readonly regularised: Uint8Array;
  /** Student paths of each tree output under its `under` (scalar outputs: empty). */
  private readonly studentPaths: readonly (readonly Path[])[];
  private readonly plans = new WeakMap<OutputTargets, OutputPlan>();
  private diff = new Float64Array(0);
  /** The fast engine's machine, when the fits run there. */
  readonly fast: FastMachine | undefined;
  /** Why the fits run on the compiled engine although a fast one was asked for. */
  readonly fastUnsupported: string | undefined;

  /** `alphabet`: every symbol of every string this loss will see. */
  constructor(
    spec: MachineSpec,
    readonly task: Task,
    alphabet: readonly string[],
    readonly targets: TeacherTargets = new TeacherTargets(task),
    engine: EngineName = getDefaultEngine(),
  ) {
    super();
    this.machine = new CompiledMachine(spec, { alphabet });
    this.params = this.machine.params;
    this.regularised = regularisedOf(this.params);
    this.studentPaths = task.outputs.map((o) =>
      o.compare === 'scalar' ? [] : this.machine.inputPaths(o.neuron, o.port).filter((p) => isUnder(p, o.under)),
    );
    let fast: { machine?: FastMachine; reason?: string } = {};
    if (engine !== 'compiled') {
      if (task.mode !== 'characters') fast = { reason: `the fast engine reads characters, this problem's input is ${task.mode}` };
      else if (task.outputs.some((o) => o.compare !== 'scalar' || o.under.length > 0))
        fast = { reason: 'the fast engine compares scalar outputs at the root only' };
      else
        fast = fastMachineFor(
          this.machine,
          task.outputs.map((o) => ({ neuron: o.neuron, port: o.port, coordinates: 'root' as const })),
          engine,
        );
    }
    this.fast = fast.machine;
    this.fastUnsupported = fast.reason;
  }

  override paramVector(trainable: MachineSpec['trainable']): Float64Array {
    return this.machine.paramVector(trainable);
  }

  private plan(j: number, t: OutputTargets): OutputPlan {
    let p = this.plans.get(t);
    if (p) return p;
    const o = this.task.outputs[j] as Task['outputs'][number];
    const offset = this.machine.inputOffset(o.neuron, o.port);
    const layout = this.machine.layout;
    if (o.compare === 'scalar') {
      p = { offset, student: Int32Array.of(layout.indexOf(o.under)), target: Int32Array.of(0), width: 1 };
    } else {
      const column = new Map(t.paths.map((q, i) => [pathKey(q), i]));
      const union = new Map<string, Path>();
      for (const q of this.studentPaths[j] as readonly Path[]) union.set(pathKey(q), q);
      for (const q of t.paths) union.set(pathKey(q), q);
      const paths = [...union.values()];
      p = {
        offset,
        student: Int32Array.from(paths, (q) => (offset < 0 ? -1 : layout.indexOf(q))),
        target: Int32Array.from(paths, (q) => column.get(pathKey(q)) ?? -1),
        width: paths.length,
      };
    }
    this.plans.set(t, p);
    return p;
  }

  fit(w: Float64Array, text: string, cycles: number, mode: GradientMode, grad?: Float64Array): Fitted {
    this.checkCycles(cycles);
    const targets = this.targets.get(text, cycles);
    if (this.fast) return this.fitFast(this.fast, targets, w, text, cycles, mode, grad);
    const m = this.machine;
    m.run(w, { inputString: text, inputMode: this.task.mode }, cycles);
    const plans = targets.outputs.map((t, j) => this.plan(j, t));
    const perCycle = plans.reduce((a, p) => a + p.width, 0);
    if (this.diff.length < perCycle * cycles) this.diff = new Float64Array(perCycle * cycles);
    const diff = this.diff;
    let prereg = 0;
    let worst = 0;
    let at = 0;
    for (let t = 1; t <= cycles; t++) {
      plans.forEach((p, j) => {
        const tv = (targets.outputs[j] as OutputTargets).values;
        const tw = (targets.outputs[j] as OutputTargets).paths.length;
        for (let i = 0; i < p.width; i++) {
          const k = p.student[i] as number;
          const c = p.target[i] as number;
          const y = p.offset < 0 || k < 0 ? 0 : m.readInput(t, p.offset, k);
          const d = y - (c < 0 ? 0 : (tv[(t - 1) * tw + c] as number));
          diff[at++] = d;
          const e = d * d;
          prereg += e;
          // NaN wins: a machine whose output is not a number has no bounded error
          if (!(e <= worst)) worst = e;
        }
      });
    }
    if (grad) {
      m.backward(
        (t, gIn) => {
          let i0 = (t - 1) * perCycle;
          for (const p of plans) {
            for (let i = 0; i < p.width; i++, i0++) {
              const k = p.student[i] as number;
              if (p.offset < 0 || k < 0) continue;
              gIn[p.offset + k] = (gIn[p.offset + k] as number) + 2 * (diff[i0] as number);
            }
          }
        },
        mode,
        grad,
      );
    }
    return { preregLoss: prereg, worstError: worst };
  }

  /** On the fast engine, the population runs in candidate lanes (FastMachine.fitCandidates). */
  override fitMany(ws: readonly Float64Array[], text: string, cycles: number, mode: GradientMode): Fitted[] {
    if (!this.fast) return super.fitMany(ws, text, cycles, mode);
    checkPopulation(ws);
    this.checkCycles(cycles);
    const values = this.targets.get(text, cycles).outputs.map((o) => o.values);
    const results = this.fast.fitCandidates(ws, [{ text, cycles }], (_lane, j, t) => (values[j] as Float64Array)[t - 1] as number);
    return results.map(([r]) => combineOutputs(r!));
  }

  /** `fit` on the fast engine: every compared output is a scalar at the root (one target per cycle). */
  private fitFast(
    fast: FastMachine,
    targets: Targets,
    w: Float64Array,
    text: string,
    cycles: number,
    mode: GradientMode,
    grad?: Float64Array,
  ): Fitted {
    const values = targets.outputs.map((o) => o.values);
    const [r] = fast.fit(w, [{ text, cycles }], (_lane, j, t) => (values[j] as Float64Array)[t - 1] as number, mode, grad);
    return combineOutputs(r!);
  }

  addSourceActivity(w: Float64Array, text: string, cycles: number, acc: Float64Array): number {
    this.machine.run(w, { inputString: text, inputMode: this.task.mode }, cycles);
    return this.machine.addSourceActivity(acc);
  }
}

/** One lane's fit over its compared outputs: the sum of their sums, the largest of their worst errors. */
function combineOutputs(r: LaneResult): Fitted {
  let prereg = 0;
  let worst = 0;
  for (let j = 0; j < r.sums.length; j++) {
    prereg += r.sums[j] as number;
    const e = r.worst[j] as number;
    // NaN wins: a machine whose output is not a number has no bounded error
    if (!(e <= worst)) worst = e;
  }
  return { preregLoss: prereg, worstError: worst };
}

/** The loss on the interpreter: machines with a `Self` neuron (gradients flow through Self). */
export class InterpretedLoss extends CircuitLoss {
  readonly params: readonly Link[];
  protected readonly regularised: Uint8Array;
  private readonly ports: readonly number[];

  constructor(
    private readonly spec: MachineSpec,
    readonly task: Task,
    readonly targets: TeacherTargets = new TeacherTargets(task),
  ) {
    super();
    this.params = matrixLinks(spec.trainable).map(({ to, toPort, from, fromPort }) => ({ to, toPort, from, fromPort }));
    this.regularised = regularisedOf(this.params);
    this.ports = task.outputs.map((o) => portIndex(spec, o));
    // refuses what the interpreter refuses (unknown types, a push without a depth cap) now
    new Interpreter(spec, { env: { inputString: '', inputMode: task.mode } });
  }

  fit(w: Float64Array, text: string, cycles: number, mode: GradientMode, grad?: Float64Array): Fitted {
    this.checkCycles(cycles);
    const targets = this.targets.get(text, cycles);
    const tape = new Tape(grad !== undefined);
    const trainable = vectorToMatrix(this.params, w);
    const wv = grad ? tape.variable(trainable) : tape.constant(trainable);
    const it = new Interpreter(this.spec, { env: { inputString: text, inputMode: this.task.mode }, mode });
    const terms: SVar[] = [];
    let prereg = 0;
    let worst = 0;
    let t = 0;
    it.run(tape, wv, cycles, (st) => {
      this.task.outputs.forEach((o, j) => {
        const port: VVar | undefined = st.inputs.get(o.neuron)?.[this.ports[j] as number];
        const target = targets.outputs[j] as OutputTargets;
        const n = target.paths.length;
        const column = new Map(target.paths.map((q, i) => [pathKey(q), i]));
        let paths: readonly Path[] = target.paths;
        if (!target.scalar && port) {
          const extra = [...leaves(port.value)].map(([q]) => q).filter((q) => isUnder(q, o.under) && !column.has(pathKey(q)));
          if (extra.length) paths = [...target.paths, ...extra];
        }
        for (const q of paths) {
          const c = column.get(pathKey(q));
          const goal = c === undefined ? 0 : (target.values[t * n + c] as number);
          const y = port ? get(port.value, q) : 0;
          const e = (y - goal) * (y - goal);
          prereg += e;
          if (!(e <= worst)) worst = e;
          if (grad && port) terms.push(tape.square(tape.sub(tape.get(port, q), tape.scalarConstant(goal))));
        }
      });
      t++;
    });
    if (grad && terms.length) {
      const total = tape.sum(terms);
      tape.backward(total);
      const g = wv.gradient();
      this.params.forEach((l, i) => {
        grad[i] = (grad[i] as number) + get(g, [l.to, l.toPort, l.from, l.fromPort]);
      });
    }
    return { preregLoss: prereg, worstError: worst };
  }

  addSourceActivity(w: Float64Array, text: string, cycles: number, acc: Float64Array): number {
    const it = new Interpreter(this.spec, { env: { inputString: text, inputMode: this.task.mode } });
    const tape = new Tape(false);
    const types = new Map(this.spec.neurons.map((n) => [n.name, n.type]));
    const sources = this.params.map((l) => NEURON_TYPES.get(types.get(l.from) ?? '')?.outputs.indexOf(l.fromPort) ?? -1);
    let counted = 0;
    it.run(tape, tape.constant(vectorToMatrix(this.params, w)), cycles, (st) => {
      this.params.forEach((l, i) => {
        const k = sources[i] as number;
        const v = k < 0 ? undefined : st.outputs.get(l.from)?.[k];
        if (!v) return;
        let s = 0;
        for (const [, x] of leaves(v.value)) s += x * x;
        acc[i] = (acc[i] as number) + s;
      });
      counted++;
    });
    return counted;
  }
}

/** The loss of a machine for a task: the compiled engine where it applies, the interpreter for machines with `Self`. */
export function circuitLoss(
  spec: MachineSpec,
  task: Task,
  alphabet: readonly string[],
  targets = new TeacherTargets(task),
  engine: EngineName = getDefaultEngine(),
): CircuitLoss {
  return needsInterpreter(spec) ? new InterpretedLoss(spec, task, targets) : new CompiledLoss(spec, task, alphabet, targets, engine);
}
