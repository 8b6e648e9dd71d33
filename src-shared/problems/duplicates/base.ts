/**
 * What every machine of the duplicate-detector problem shares (spec §4–§5): the driving
 * neurons, the output sink, and their hard links.
 */
import { selfLinks, type NeuronSpec, type WeightedLink } from '../../machine/spec';

/** Neurons present in every duplicate-detector machine, by name = type. */
export const BASE_NEURONS: readonly NeuronSpec[] = [
  { name: 'timer', type: 'timer' },
  { name: 'input', type: 'input' },
  { name: 'const_1', type: 'const_1' },
  { name: 'eos', type: 'eos' },
  { name: 'output', type: 'output' },
];

export { UNREGULARISED_ROWS } from '../regulariser';

/** The hard links: the timer's self-link, input.timer ← timer.timer, and every type's self-links. */
export function hardLinks(neurons: readonly NeuronSpec[]): WeightedLink[] {
  return [...selfLinks(neurons), { to: 'input', toPort: 'timer', from: 'timer', fromPort: 'timer', weight: 1 }];
}

/** Output ports of the initial layer, in the prototype's order. */
export const INITIAL_OUTPUTS: ReadonlyArray<readonly [string, string]> = [
  ['input', 'char'],
  ['eos', 'char'],
  ['const_1', 'const_1'],
];

/** The ports the loss reads: output.dict-1 and output.dict-2, at their ":number". */
export const OUTPUT_NEURON = 'output';
export const OUTPUT_PORTS: readonly string[] = ['dict-1', 'dict-2'];
