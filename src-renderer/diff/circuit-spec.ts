/**
 * The machine of a stored circuit, for the diff: a snapshot's soft links and weights (the
 * neuron types read from the names, as the prototype's matrix files and the generators
 * name them, plus the fixed neurons every machine of the run's problem has — the
 * duplicate detector's driving neurons by default — and the hard links), or a library
 * architecture's graph.
 */
import type { ArchitectureGraph } from '@shared/api/records';
import { documentFromGraph, documentToSpec } from '@shared/editor/document';
import { inferNeuronType } from '@shared/io/prototype-matrix';
import { LAYER_TYPES } from '@shared/machine/neuron-types';
import { linksToMatrix, matrixLinks, type Link, type MachineSpec, type NeuronSpec } from '@shared/machine/spec';
import { BASE_NEURONS } from '@shared/problems/duplicates/base';
import { duplicatesFrame } from '@shared/problems/duplicates/frame';
import { frameHardLinks } from '@shared/problems/frame';
import type { Problem } from '@shared/problems/problem';
import { frameOf } from '@shared/problems/problem-frame';

/** A generated layer neuron's type from its name `<type>-<layer>-<copy>`, or undefined. */
function layerType(name: string): string | undefined {
  const m = /^([a-z_]+)-\d+-\d+$/.exec(name);
  return m && LAYER_TYPES.includes(m[1] as string) ? m[1] : undefined;
}

/**
 * The machine of a snapshot's soft links, in the frame of `problem` (default: the duplicate
 * detector's); throws naming a neuron whose type cannot be read from its name.
 */
export function specFromWeights(links: readonly Link[], weights: ArrayLike<number>, problem?: Problem): MachineSpec {
  if (links.length !== weights.length) throw new Error(`the circuit has ${links.length} links but ${weights.length} weights`);
  const frame = problem ? frameOf(problem) : duplicatesFrame();
  const neurons: NeuronSpec[] = [...frame.base];
  const known = new Set(neurons.map((n) => n.name));
  const names = new Set<string>();
  for (const l of links) {
    names.add(l.to);
    names.add(l.from);
  }
  for (const name of [...names].sort()) {
    if (known.has(name)) continue;
    const named = problem ? frame.named.get(name) : undefined;
    const type = named?.type ?? (problem ? layerType(name) : inferNeuronType(name));
    if (type === undefined) throw new Error(`neuron "${name}": its type cannot be read from its name (expected <type>-<layer>-<copy>)`);
    const depth = problem?.search.pushDepth;
    neurons.push(named ?? (type === 'push' && depth !== undefined ? { name, type, params: { depth } } : { name, type }));
    known.add(name);
  }
  return {
    neurons,
    fixed: linksToMatrix(frameHardLinks(frame, neurons)),
    trainable: linksToMatrix(
      links.map((l, i) => ({ to: l.to, toPort: l.toPort, from: l.from, fromPort: l.fromPort, weight: weights[i] as number })),
    ),
  };
}

/**
 * The machine of a library architecture, restricted like a snapshot's to the neurons that
 * carry a soft link (plus the driving ones): an architecture's unused neurons would only
 * show as unmatched.
 */
export function specFromArchitecture(graph: ArchitectureGraph): MachineSpec {
  const spec = documentToSpec(documentFromGraph(graph));
  const used = new Set<string>(BASE_NEURONS.map((n) => n.name));
  for (const l of matrixLinks(spec.trainable)) {
    used.add(l.to);
    used.add(l.from);
  }
  const neurons = spec.neurons.filter((n) => used.has(n.name));
  const keep = (m: MachineSpec['fixed']) => linksToMatrix(matrixLinks(m).filter((l) => used.has(l.to) && used.has(l.from)));
  return { neurons, fixed: keep(spec.fixed), trainable: spec.trainable };
}
