/**
 * Small helpers for writing teachers as data: neurons, soft links of weight 1 unless
 * given, and the hard links every such machine has (each type's self-links from the
 * registry and, when there is a driving input, input.timer ← timer.timer).
 */
import { INPUT_PERIOD, drivingSymbols, neuronType, type InputMode } from '../../machine/neuron-types';
import { matrixLinks, type MachineSpec } from '../../machine/spec';
import type { DataString } from '../../synthesis/dataset';
import type { VValue } from '../../vvalue/vvalue';
import type { Problem, TeacherLink, TeacherNeuron } from '../problem';

export type LinkSpec = readonly [to: string, toPort: string, from: string, fromPort: string, weight?: number];

export const neuron = (name: string, type: string, params?: VValue): TeacherNeuron =>
  params === undefined ? { name, type } : { name, type, params: params };

/** A teacher: the neurons, its soft links, and its hard links (registry self-links, the timer wiring, `extraHard`). */
export function teacher(
  neurons: readonly TeacherNeuron[],
  soft: readonly LinkSpec[],
  extraHard: readonly LinkSpec[] = [],
): Problem['teacher'] {
  const link = ([to, toPort, from, fromPort, weight]: LinkSpec, isSoft: boolean): TeacherLink => ({
    to,
    toPort,
    from,
    fromPort,
    weight: weight ?? 1,
    soft: isSoft,
  });
  const hard: TeacherLink[] = [];
  for (const n of neurons) {
    for (const [toPort, fromPort] of neuronType(n.type).selfLinks) hard.push(link([n.name, toPort, n.name, fromPort], false));
  }
  const names = new Set(neurons.map((n) => n.name));
  if (names.has('input') && names.has('timer')) hard.push(link(['input', 'timer', 'timer', 'timer'], false));
  for (const h of extraHard) hard.push(link(h, false));
  return { neurons: [...neurons], links: [...hard, ...soft.map((s) => link(s, true))] };
}

/** A string with the window that reads all of it and shows its last symbol's effect (plus `margin` cycles). */
export function windowed(text: string, mode: InputMode = 'characters', margin = 10): DataString {
  return { text, cycles: INPUT_PERIOD * drivingSymbols(text, mode).length + margin };
}

/** A machine spec as teacher data (hard links from its fixed matrix, soft links from its trainable one). */
export function teacherFromSpec(spec: MachineSpec): Problem['teacher'] {
  const links = (m: VValue, soft: boolean): TeacherLink[] =>
    matrixLinks(m).map((l) => ({ to: l.to, toPort: l.toPort, from: l.from, fromPort: l.fromPort, weight: l.weight, soft }));
  return {
    neurons: spec.neurons.map((n) => neuron(n.name, n.type, n.params)),
    links: [...links(spec.fixed, false), ...links(spec.trainable, true)],
  };
}

/**
 * Schedule overrides that ask synthesis for the teacher's size: stop at `teacherLinks` soft
 * links, and judge an attempt as passed only when it is exact (training loss and
 * validation worst error at rounding level) with at most that many links.
 */
export function teacherSizedSchedule(teacherLinks: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const own: Record<string, unknown> = {
    stop: { targetLinks: teacherLinks },
    restarts: { links: teacherLinks, trainLoss: 1e-8, validationWorst: 1e-8 },
  };
  for (const [k, v] of Object.entries(extra)) {
    own[k] = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof own[k] === 'object' ? { ...(own[k] as object), ...v } : v;
  }
  return own;
}
