/**
 * Generators of starting architectures as editor documents, each with a
 * layered placement.
 */
import { INTERNEURON_TYPES, neuronType } from '../machine/neuron-types';
import type { NeuronSpec } from '../machine/spec';
import {
  COMPARE_FREE_ARCHITECTURE,
  generateArchitecture,
  REFERENCE_ARCHITECTURE,
  type ArchitectureOptions,
} from '../problems/duplicates/architecture';
import { BASE_NEURONS, hardLinks, INITIAL_OUTPUTS, OUTPUT_NEURON, OUTPUT_PORTS } from '../problems/duplicates/base';
import { handcraftedDetector } from '../problems/duplicates/handcrafted';
import { Rng } from '../util/rng';
import { documentFromSpec, type EditorDocument, type EditorLink, type EditorNeuron } from './document';
import { circlePositions, layerGridPositions } from './layout';

export { COMPARE_FREE_ARCHITECTURE, REFERENCE_ARCHITECTURE, type ArchitectureOptions };

/** The feedforward machine with local recurrences and (optionally) skip connections (spec §5). */
export function generateLayered(options: ArchitectureOptions = REFERENCE_ARCHITECTURE): EditorDocument {
  return documentFromSpec(generateArchitecture(options));
}

/** The variant without compare neurons (6 layers, 942 soft links). */
export function generateCompareFree(options: Partial<ArchitectureOptions> = {}): EditorDocument {
  return generateLayered({ ...COMPARE_FREE_ARCHITECTURE, ...options });
}

/** The hand-crafted duplicate detector (spec §4): 9 neurons, 8 soft and 3 hard links. */
export function generateHandcrafted(): EditorDocument {
  return documentFromSpec(handcraftedDetector());
}

export interface RecurrentOptions {
  /** Interneuron types (default: accum, norm, compare, dot). */
  readonly types?: readonly string[];
  /** Copies of each type (default 2). */
  readonly copies?: number;
  readonly scale?: number;
  readonly seed?: number;
  /** Place on a circle (default) or in layers. */
  readonly placement?: 'circle' | 'layered';
}

/**
 * A fully connected recurrent machine: the driving neurons, `copies` of each interneuron
 * type (named `<type>-1-<k>` so prototype files can name them), and the output sink.
 * Every soft input port of every interneuron and of the output is linked from every
 * output port of the initial layer and of every interneuron (itself included); hard links
 * as in DMM-lite. Weights scale·N(0,1) from `seed`.
 */
export function generateRecurrent(options: RecurrentOptions = {}): EditorDocument {
  const types = options.types ?? INTERNEURON_TYPES;
  const copies = options.copies ?? 2;
  const scale = options.scale ?? 0.01;
  const seed = options.seed ?? 123;
  if (!Number.isInteger(copies) || copies < 1 || copies > 64) throw new RangeError(`copies must be an integer in [1, 64], got ${copies}`);
  if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`scale must be a finite number ≥ 0, got ${scale}`);
  for (const t of types) if (!neuronType(t).interneuron) throw new RangeError(`"${t}" is not an interneuron type`);
  if (new Set(types).size !== types.length) throw new RangeError('interneuron types must not repeat');

  const specs: NeuronSpec[] = [...BASE_NEURONS];
  const inters: NeuronSpec[] = [];
  for (let k = 1; k <= copies; k++) for (const type of types) inters.push({ name: `${type}-1-${k}`, type });
  specs.push(...inters);

  const sources: Array<readonly [string, string]> = [...INITIAL_OUTPUTS];
  for (const n of inters) for (const p of neuronType(n.type).outputs) sources.push([n.name, p]);
  const targets: Array<readonly [string, string]> = [];
  for (const n of inters) {
    const t = neuronType(n.type);
    const hard = new Set(t.selfLinks.map(([to]) => to));
    for (const p of t.inputs) if (!hard.has(p)) targets.push([n.name, p]);
  }
  for (const p of OUTPUT_PORTS) targets.push([OUTPUT_NEURON, p]);

  const rng = new Rng(seed);
  const links: EditorLink[] = hardLinks(specs).map((l) => ({ ...l, soft: false }));
  for (const [to, toPort] of targets) {
    for (const [from, fromPort] of sources) links.push({ to, toPort, from, fromPort, weight: scale * rng.normal(), soft: true });
  }
  const pos = options.placement === 'layered' ? layerGridPositions(specs, links) : circlePositions(specs);
  const neurons: EditorNeuron[] = specs.map((n) => ({ name: n.name, type: n.type, position: pos.get(n.name) ?? { x: 0, y: 0 } }));
  return { neurons, links };
}
