/**
 * Targets: what the teacher's compared outputs hold at every cycle of a string. They are
 * always computed by running the teacher (the compiled engine, or the interpreter for a
 * teacher with a `Self` neuron), never written by hand, and cached per string and window.
 */
import { Tape, type VVar } from '../autodiff/tape';
import { CompiledMachine } from '../machine/compiled';
import { Interpreter } from '../machine/interpreter';
import { SELF_TYPE, drivingSymbols, neuronType, type InputMode } from '../machine/neuron-types';
import type { MachineSpec } from '../machine/spec';
import { get, leaves, pathKey, type Path, type VValue } from '../vvalue/vvalue';
import { inputMode, isUnder, teacherSpec, type ComparedOutput, type Problem } from './problem';

/** What a loss needs of a problem: the teacher, how the input is driven, what is compared. */
export interface Task {
  readonly teacher: MachineSpec;
  readonly mode: InputMode;
  readonly outputs: readonly ComparedOutput[];
}

export function taskOf(p: Problem): Task {
  return { teacher: teacherSpec(p), mode: inputMode(p), outputs: p.outputs };
}

/** True when a machine needs the interpreter (its matrix can change while it runs). */
export function needsInterpreter(spec: MachineSpec): boolean {
  return spec.neurons.some((n) => n.type === SELF_TYPE);
}

/** One compared output's targets: `values[(t − 1)·paths.length + i]` is path i at cycle t. */
export interface OutputTargets {
  /** Compared as a scalar (one path) or as a tree. */
  readonly scalar: boolean;
  /** A scalar output: its one path (`under`). A tree: every path the teacher's port can hold under `under`. */
  readonly paths: readonly Path[];
  readonly values: Float64Array;
}

export interface Targets {
  readonly cycles: number;
  readonly outputs: readonly OutputTargets[];
}

/** The symbols of `texts` plus "." (what the `eos` neuron emits), sorted. */
function symbols(texts: Iterable<string>, mode: InputMode): string[] {
  const set = new Set<string>(['.']);
  for (const t of texts) for (const c of drivingSymbols(t, mode)) set.add(c);
  return [...set].sort();
}

/** Runs the teacher on strings and caches what its compared outputs hold. */
export class TeacherTargets {
  private readonly cache = new Map<string, Targets>();
  private machine: CompiledMachine | undefined;
  private weights: Float64Array = new Float64Array(0);
  private readonly interpreted: boolean;

  constructor(readonly task: Task) {
    this.interpreted = needsInterpreter(task.teacher);
  }

  get(text: string, cycles: number): Targets {
    const key = `${cycles}\u0000${text}`;
    let t = this.cache.get(key);
    if (!t) {
      t = this.interpreted ? this.interpret(text, cycles) : this.compiled(text, cycles);
      this.cache.set(key, t);
    }
    return t;
  }

  private machineFor(text: string): CompiledMachine {
    const known = this.machine?.alphabet ?? [];
    if (!this.machine || drivingSymbols(text, this.task.mode).some((c) => !known.includes(c))) {
      this.machine = new CompiledMachine(this.task.teacher, { alphabet: symbols([text], this.task.mode).concat(known) });
      this.weights = this.machine.paramVector(this.task.teacher.trainable);
    }
    return this.machine;
  }

  private compiled(text: string, cycles: number): Targets {
    const m = this.machineFor(text);
    m.run(this.weights, { inputString: text, inputMode: this.task.mode }, cycles);
    const outputs = this.task.outputs.map((o) => {
      const offset = m.inputOffset(o.neuron, o.port);
      const paths = o.compare === 'scalar' ? [o.under] : m.inputPaths(o.neuron, o.port).filter((p) => isUnder(p, o.under));
      const index = paths.map((p) => m.layout.indexOf(p));
      const values = new Float64Array(cycles * paths.length);
      for (let t = 1; t <= cycles; t++) {
        index.forEach((k, i) => {
          values[(t - 1) * paths.length + i] = offset < 0 || k < 0 ? 0 : m.readInput(t, offset, k);
        });
      }
      return { scalar: o.compare === 'scalar', paths, values };
    });
    return { cycles, outputs };
  }

  private interpret(text: string, cycles: number): Targets {
    const it = new Interpreter(this.task.teacher, { env: { inputString: text, inputMode: this.task.mode } });
    const tape = new Tape(false);
    const seen: VValue[][] = this.task.outputs.map(() => []);
    it.run(tape, tape.constant(this.task.teacher.trainable), cycles, (st) => {
      this.task.outputs.forEach((o, j) => {
        const ports = st.inputs.get(o.neuron);
        const k = portIndex(this.task.teacher, o);
        (seen[j] as VValue[]).push(ports && k >= 0 ? (ports[k] as VVar).value : {});
      });
    });
    const outputs = this.task.outputs.map((o, j) => {
      const values = seen[j] as VValue[];
      let paths: Path[];
      if (o.compare === 'scalar') paths = [o.under];
      else {
        const all = new Map<string, Path>();
        for (const v of values) for (const [p] of leaves(v)) if (isUnder(p, o.under)) all.set(pathKey(p), p);
        paths = [...all.values()];
      }
      const out = new Float64Array(cycles * paths.length);
      values.forEach((v, t) => paths.forEach((p, i) => (out[t * paths.length + i] = get(v, p))));
      return { scalar: o.compare === 'scalar', paths, values: out };
    });
    return { cycles, outputs };
  }
}

/** Index of a compared output's port among its neuron's input ports (-1 when absent). */
export function portIndex(spec: MachineSpec, o: Pick<ComparedOutput, 'neuron' | 'port'>): number {
  const n = spec.neurons.find((x) => x.name === o.neuron);
  return n ? neuronType(n.type).inputs.indexOf(o.port) : -1;
}

/** A readable timeline of one compared output: the cycles where its value changes, with the new value. */
export function targetTimeline(targets: Targets, j: number): { cycle: number; value: number | Record<string, number> }[] {
  const o = targets.outputs[j];
  if (!o) throw new RangeError(`no compared output ${j}`);
  const n = o.paths.length;
  const out: { cycle: number; value: number | Record<string, number> }[] = [];
  let last = '';
  for (let t = 1; t <= targets.cycles; t++) {
    const row = o.values.subarray((t - 1) * n, t * n);
    const value: number | Record<string, number> = o.scalar
      ? (row[0] as number)
      : Object.fromEntries(o.paths.flatMap((p, i) => ((row[i] as number) !== 0 ? [[p.join('.'), row[i] as number]] : [])));
    const key = JSON.stringify(value);
    if (key !== last) out.push({ cycle: t, value });
    last = key;
  }
  return out;
}
