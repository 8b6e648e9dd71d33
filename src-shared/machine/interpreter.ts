/**
 * The V-value interpreter: the two-stroke cycle of spec §2 on whole V-values, recorded on
 * a Tape so that anything it computes can be differentiated. It runs every machine,
 * including those whose ports carry deep trees and those with a `Self` neuron, whose
 * matrix output is the network matrix of the next down movement.
 *
 * It is the reference semantics; the compiled engine is the fast path for static matrices
 * and is tested against it.
 */
import { SVar, Tape, VVar } from '../autodiff/tape';
import { ZERO, type VValue } from '../vvalue/vvalue';
import {
  drivingSymbols,
  neuronProblem,
  neuronType,
  SELF_TYPE,
  type GradientMode,
  type NeuronContext,
  type NeuronEnv,
  type NeuronType,
} from './neuron-types';
import { matrixLinks, type MachineSpec, type Matrix, type NeuronSpec } from './spec';

export interface InterpreterOptions {
  readonly env: NeuronEnv;
  readonly mode?: GradientMode;
}

/** Every neuron's ports after one cycle. */
export interface CycleState {
  readonly cycle: number;
  readonly inputs: ReadonlyMap<string, readonly VVar[]>;
  readonly outputs: ReadonlyMap<string, readonly VVar[]>;
}

interface LiveLink {
  readonly to: number;
  readonly toPort: number;
  readonly from: number;
  readonly fromPort: number;
  readonly weight: SVar;
}

export class Interpreter {
  private readonly neurons: readonly NeuronSpec[];
  private readonly types: readonly NeuronType[];
  private readonly index = new Map<string, number>();
  private readonly selfIndex: number;
  private readonly env: NeuronEnv;
  private readonly mode: GradientMode;
  private readonly contexts: readonly NeuronContext[];

  constructor(
    private readonly spec: MachineSpec,
    options: InterpreterOptions,
  ) {
    this.neurons = spec.neurons;
    this.types = spec.neurons.map((n) => neuronType(n.type));
    spec.neurons.forEach((n, i) => {
      if (this.index.has(n.name)) throw new Error(`duplicate neuron name "${n.name}"`);
      const problem = neuronProblem(n);
      if (problem) throw new Error(problem);
      this.index.set(n.name, i);
    });
    const selves = spec.neurons.filter((n) => n.type === SELF_TYPE);
    if (selves.length > 1) throw new Error(`at most one ${SELF_TYPE} neuron, found ${selves.length}`);
    this.selfIndex = selves.length ? (this.index.get((selves[0] as NeuronSpec).name) as number) : -1;
    this.env = options.env;
    this.mode = options.mode ?? 'exact';
    const alphabet = Array.from(new Set(drivingSymbols(this.env.inputString, this.env.inputMode)));
    this.contexts = spec.neurons.map((n) => ({ params: n.params, alphabet }));
  }

  /** Resolves the links of a matrix held by `w` to port indices, skipping missing neurons and ports. */
  private links(tape: Tape, w: VVar, fixed?: Matrix): LiveLink[] {
    const out: LiveLink[] = [];
    const add = (m: Matrix, weight: (path: string[], value: number) => SVar) => {
      for (const l of matrixLinks(m)) {
        const to = this.index.get(l.to);
        const from = this.index.get(l.from);
        if (to === undefined || from === undefined) continue;
        const toPort = (this.types[to] as NeuronType).inputs.indexOf(l.toPort);
        const fromPort = (this.types[from] as NeuronType).outputs.indexOf(l.fromPort);
        if (toPort < 0 || fromPort < 0) continue;
        out.push({ to, toPort, from, fromPort, weight: weight([l.to, l.toPort, l.from, l.fromPort], l.weight) });
      }
    };
    if (fixed) add(fixed, (_p, v) => tape.scalarConstant(v));
    add(w.value, (p) => tape.get(w, p));
    return out;
  }

  /**
   * Runs `cycles` cycles from the empty state on `tape`, with soft links `trainable` (a
   * tape variable to differentiate against, or a constant). `observe` sees every cycle.
   */
  run(tape: Tape, trainable: VVar, cycles: number, observe?: (state: CycleState) => void): CycleState {
    const n = this.neurons.length;
    const empty = tape.constant(ZERO);
    let outputs: VVar[][] = this.types.map((t) => t.outputs.map(() => empty));
    let inputs: VVar[][] = this.types.map((t) => t.inputs.map(() => empty));
    const selfMatrix = this.selfIndex >= 0;
    if (selfMatrix) {
      // Self starts out holding the whole matrix W0 = fixed + trainable.
      (outputs[this.selfIndex] as VVar[])[0] = tape.add(tape.constant(this.spec.fixed), trainable);
    }
    const staticLinks = selfMatrix ? undefined : this.links(tape, trainable, this.spec.fixed);
    let state: CycleState = { cycle: 0, inputs: new Map(), outputs: new Map() };
    for (let cycle = 1; cycle <= cycles; cycle++) {
      // down movement: W is Self's latest matrix output, or the static matrices
      const links = staticLinks ?? this.links(tape, (outputs[this.selfIndex] as VVar[])[0] as VVar);
      const terms: [SVar, VVar][][][] = this.types.map((t) => t.inputs.map(() => []));
      for (const l of links) {
        ((terms[l.to] as [SVar, VVar][][])[l.toPort] as [SVar, VVar][]).push([l.weight, (outputs[l.from] as VVar[])[l.fromPort] as VVar]);
      }
      inputs = terms.map((ports) => ports.map((ts) => (ts.length ? tape.linearCombination(ts) : empty)));
      // up movement
      const next: VVar[][] = [];
      for (let i = 0; i < n; i++) {
        const ctx = this.contexts[i] as NeuronContext;
        next.push(tape.neuron(this.types[i] as NeuronType, ctx, inputs[i] as VVar[], this.env, this.mode));
      }
      outputs = next;
      state = {
        cycle,
        inputs: new Map(this.neurons.map((s, i) => [s.name, inputs[i] as VVar[]])),
        outputs: new Map(this.neurons.map((s, i) => [s.name, outputs[i] as VVar[]])),
      };
      observe?.(state);
    }
    return state;
  }

  /** Input and output V-values of one neuron over `cycles` cycles (no gradient). */
  trace(trainable: VValue, cycles: number, neuron: string): { inputs: Record<string, VValue>; outputs: Record<string, VValue> }[] {
    const i = this.index.get(neuron);
    if (i === undefined) throw new Error(`no neuron named "${neuron}"`);
    const t = this.types[i] as NeuronType;
    const out: { inputs: Record<string, VValue>; outputs: Record<string, VValue> }[] = [];
    const tape = new Tape(false);
    this.run(tape, tape.constant(trainable), cycles, (s) => {
      const ins = s.inputs.get(neuron) as readonly VVar[];
      const outs = s.outputs.get(neuron) as readonly VVar[];
      out.push({
        inputs: Object.fromEntries(t.inputs.map((p, k) => [p, (ins[k] as VVar).value])),
        outputs: Object.fromEntries(t.outputs.map((p, k) => [p, (outs[k] as VVar).value])),
      });
    });
    return out;
  }
}
