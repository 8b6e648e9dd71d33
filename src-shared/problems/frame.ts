/**
 * The frame of a problem's machines: what every candidate circuit shares with the teacher.
 * Its fixed neurons (the teacher's non-interneurons: timer, input, constants, the output
 * sink, Self), the ports a generated start's layers read from (the initial layer) and
 * feed (the compared outputs), the teacher's neurons by name (so a matrix file may name
 * any of them), and the hard links a machine gets: the registry's self-links plus the
 * teacher's hard links among the neurons present.
 */
import { neuronType } from '../machine/neuron-types';
import { matrixLinks, selfLinks, type MachineSpec, type NeuronSpec, type WeightedLink } from '../machine/spec';

export type PortRef = readonly [neuron: string, port: string];

export interface ArchitectureFrame {
  /** The teacher's non-interneurons, in the teacher's order: every machine of the problem has them. */
  readonly base: readonly NeuronSpec[];
  /** Output ports of base neurons that generated layers read (the initial layer), in order. */
  readonly sources: readonly PortRef[];
  /** Input ports the last generated layer feeds: the compared outputs. */
  readonly sinks: readonly PortRef[];
  /** Every teacher neuron by name (a matrix naming one gets it, with its parameters). */
  readonly named: ReadonlyMap<string, NeuronSpec>;
  /** Hard links of the teacher (its fixed matrix). */
  readonly teacherHard: readonly WeightedLink[];
}

export function frameFromTeacher(teacher: MachineSpec, sources: readonly PortRef[], sinks: readonly PortRef[]): ArchitectureFrame {
  return {
    base: teacher.neurons.filter((n) => !neuronType(n.type).interneuron),
    sources,
    sinks,
    named: new Map(teacher.neurons.map((n) => [n.name, n])),
    teacherHard: matrixLinks(teacher.fixed),
  };
}

/** The hard links of a machine with `neurons` in this frame: registry self-links, then the teacher's hard links among them. */
export function frameHardLinks(frame: ArchitectureFrame, neurons: readonly NeuronSpec[]): WeightedLink[] {
  const names = new Set(neurons.map((n) => n.name));
  const own = selfLinks(neurons);
  const key = (l: WeightedLink) => JSON.stringify([l.to, l.toPort, l.from, l.fromPort]);
  const have = new Set(own.map(key));
  return [...own, ...frame.teacherHard.filter((l) => names.has(l.to) && names.has(l.from) && !have.has(key(l)))];
}

/** Names of the sink neurons (what a circuit's links must reach to matter). */
export function sinkNeurons(frame: ArchitectureFrame): string[] {
  return [...new Set(frame.sinks.map(([n]) => n))];
}
