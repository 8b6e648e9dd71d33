/**
 * The starting architecture of synthesis (spec §5): a feedforward transducer with local
 * recurrences. An initial layer (for the duplicate detector: input, eos, const_1; for any
 * problem: its frame's sources), L layers of K copies of each interneuron type, a final
 * output layer (the compared outputs); every input port of a layer linked to every output
 * port of the initial layer and of every earlier layer (skip connections), or only to the
 * layer just before it when skip connections are off; with `recurrent`, to every output
 * port of every layer.
 */
import { neuronType } from '../../machine/neuron-types';
import { linksToMatrix, type MachineSpec, type NeuronSpec, type WeightedLink } from '../../machine/spec';
import { Rng } from '../../util/rng';
import { frameHardLinks, type ArchitectureFrame } from '../frame';
import { duplicatesFrame } from './frame';

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
  /** The depth cap K of generated push neurons (required when `types` includes push). */
  readonly pushDepth?: number | undefined;
  /**
   * Link every input port to every output port of every layer (itself included), not only
   * to earlier ones: a recurrent start, for circuits whose neurons feed each other (a latch
   * with a forget gate). Default false.
   */
  readonly recurrent?: boolean | undefined;
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
  if (o.types.includes('push') && o.pushDepth === undefined) {
    throw new RangeError('pushDepth is required when types include push (the depth cap K of each generated push)');
  }
}

/** Input ports of a type that take soft links: all but those fed by the type's own self-links. */
function softInputs(type: string): string[] {
  const t = neuronType(type);
  const hard = new Set(t.selfLinks.map(([to]) => to));
  return t.inputs.filter((p) => !hard.has(p));
}

/** The generated architecture of `o` in `frame` (default: the duplicate detector's). */
export function generateArchitecture(o: ArchitectureOptions, frame: ArchitectureFrame = duplicatesFrame()): MachineSpec {
  checkOptions(o);
  const neurons: NeuronSpec[] = [...frame.base];
  const inputsOf: PortRef[][] = []; // per layer 1..L (index l-1), then the final layer
  const outputsOf: PortRef[][] = [[...frame.sources]]; // layer 0 = initial layer
  for (let layer = 1; layer <= o.layers; layer++) {
    const ins: PortRef[] = [];
    const outs: PortRef[] = [];
    for (let k = 1; k <= o.copies; k++) {
      for (const type of o.types) {
        const name = `${type}-${layer}-${k}`;
        neurons.push(type === 'push' ? { name, type, params: { depth: o.pushDepth as number } } : { name, type });
        for (const p of softInputs(type)) ins.push([name, p]);
        for (const p of neuronType(type).outputs) outs.push([name, p]);
      }
    }
    inputsOf.push(ins);
    outputsOf.push(outs);
  }
  inputsOf.push([...frame.sinks]);

  const rng = new Rng(o.seed);
  const soft: WeightedLink[] = [];
  inputsOf.forEach((ins, i) => {
    const layer = i + 1; // inputs of layer `layer` read outputs of layers < layer (of all layers when recurrent)
    const sources = o.recurrent ? outputsOf.flat() : o.skip ? outputsOf.slice(0, layer).flat() : (outputsOf[layer - 1] as PortRef[]);
    for (const [to, toPort] of ins) {
      for (const [from, fromPort] of sources) {
        soft.push({ to, toPort, from, fromPort, weight: o.scale * rng.normal() });
      }
    }
  });
  return { neurons, fixed: linksToMatrix(frameHardLinks(frame, neurons)), trainable: linksToMatrix(soft) };
}
