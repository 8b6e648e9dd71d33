/**
 * The starting architecture of synthesis (spec §5): a feedforward transducer with local
 * recurrences. An initial layer (input, eos, const_1), L layers of K copies of each
 * interneuron type, a final output layer; every input port of a layer linked to every
 * output port of the initial layer and of every earlier layer (skip connections), or only
 * to the layer just before it when skip connections are off.
 */
import { neuronType } from '../../machine/neuron-types';
import { linksToMatrix, type MachineSpec, type NeuronSpec, type WeightedLink } from '../../machine/spec';
import { Rng } from '../../util/rng';
import { BASE_NEURONS, INITIAL_OUTPUTS, OUTPUT_NEURON, OUTPUT_PORTS, hardLinks } from './base';

export interface ArchitectureOptions {
  /** Number of intermediate layers L (reference 5). */
  readonly layers: number;
  /** Copies K of each type per layer (reference 2). */
  readonly copies: number;
  /** Interneuron types in each layer (reference: accum, norm, compare, dot). */
  readonly types: readonly string[];
  /** Link each layer to all earlier layers (true) or only to the previous one. */
  readonly skip: boolean;
  /** Initial weights scale·N(0,1) from a generator seeded with `seed`. */
  readonly scale: number;
  readonly seed: number;
}

export const REFERENCE_ARCHITECTURE: ArchitectureOptions = {
  layers: 5,
  copies: 2,
  types: ['accum', 'norm', 'compare', 'dot'],
  skip: true,
  scale: 0.01,
  seed: 123,
};

/** The variant without compare neurons (6 layers, 942 soft links). */
export const COMPARE_FREE_ARCHITECTURE: ArchitectureOptions = {
  ...REFERENCE_ARCHITECTURE,
  layers: 6,
  types: ['accum', 'norm', 'dot'],
};

type PortRef = readonly [string, string];

function checkOptions(o: ArchitectureOptions): void {
  for (const [key, min, max] of [
    ['layers', 1, 64],
    ['copies', 1, 64],
  ] as const) {
    const v = o[key];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${key} must be an integer in [${min}, ${max}], got ${v}`);
    }
  }
  if (!Number.isFinite(o.scale) || o.scale < 0) throw new RangeError(`scale must be a finite number ≥ 0, got ${o.scale}`);
  if (!Number.isFinite(o.seed)) throw new RangeError(`seed must be a finite number, got ${o.seed}`);
  if (o.types.length === 0) throw new RangeError('at least one interneuron type is needed');
  for (const t of o.types) {
    if (!neuronType(t).interneuron) throw new RangeError(`"${t}" is not an interneuron type`);
  }
  if (new Set(o.types).size !== o.types.length) throw new RangeError('interneuron types must not repeat');
}

/** Input ports of a type that take soft links: all but those fed by the type's own self-links. */
function softInputs(type: string): string[] {
  const t = neuronType(type);
  const hard = new Set(t.selfLinks.map(([to]) => to));
  return t.inputs.filter((p) => !hard.has(p));
}

export function generateArchitecture(o: ArchitectureOptions): MachineSpec {
  checkOptions(o);
  const neurons: NeuronSpec[] = [...BASE_NEURONS];
  const inputsOf: PortRef[][] = []; // per layer 1..L (index l-1), then the final layer
  const outputsOf: PortRef[][] = [[...INITIAL_OUTPUTS]]; // layer 0 = initial layer
  for (let layer = 1; layer <= o.layers; layer++) {
    const ins: PortRef[] = [];
    const outs: PortRef[] = [];
    for (let k = 1; k <= o.copies; k++) {
      for (const type of o.types) {
        const name = `${type}-${layer}-${k}`;
        neurons.push({ name, type });
        for (const p of softInputs(type)) ins.push([name, p]);
        for (const p of neuronType(type).outputs) outs.push([name, p]);
      }
    }
    inputsOf.push(ins);
    outputsOf.push(outs);
  }
  inputsOf.push(OUTPUT_PORTS.map((p) => [OUTPUT_NEURON, p] as const));

  const rng = new Rng(o.seed);
  const soft: WeightedLink[] = [];
  inputsOf.forEach((ins, i) => {
    const layer = i + 1; // inputs of layer `layer` read outputs of layers < layer
    const sources = o.skip ? outputsOf.slice(0, layer).flat() : (outputsOf[layer - 1] as PortRef[]);
    for (const [to, toPort] of ins) {
      for (const [from, fromPort] of sources) {
        soft.push({ to, toPort, from, fromPort, weight: o.scale * rng.normal() });
      }
    }
  });
  return { neurons, fixed: linksToMatrix(hardLinks(neurons)), trainable: linksToMatrix(soft) };
}
