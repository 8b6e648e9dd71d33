/**
 * The hand-crafted duplicate-character detector (spec §4): 9 neurons, 11 links, all of
 * weight 1. Its three hard links are the timer self-link, input.timer ← timer.timer and
 * the accumulator's self-link; the other eight are its soft links.
 */
import { linksToMatrix, type MachineSpec, type NeuronSpec, type WeightedLink } from '../../machine/spec';
import { BASE_NEURONS, hardLinks } from './base';

const NEURONS: readonly NeuronSpec[] = [
  ...BASE_NEURONS,
  { name: 'accum', type: 'accum' },
  { name: 'norm', type: 'norm' },
  { name: 'compare', type: 'compare' },
  { name: 'dot', type: 'dot' },
];

const l = (to: string, toPort: string, from: string, fromPort: string): WeightedLink => ({
  to,
  toPort,
  from,
  fromPort,
  weight: 1,
});

const SOFT: readonly WeightedLink[] = [
  l('accum', 'dict-2', 'input', 'char'),
  l('norm', 'dict', 'accum', 'dict'),
  l('compare', 'dict-1', 'norm', 'norm'),
  l('compare', 'dict-2', 'const_1', 'const_1'),
  l('dot', 'dict-1', 'accum', 'dict'),
  l('dot', 'dict-2', 'eos', 'char'),
  l('output', 'dict-1', 'compare', 'true'),
  l('output', 'dict-2', 'dot', 'dot'),
];

export function handcraftedDetector(): MachineSpec {
  return {
    neurons: NEURONS,
    fixed: linksToMatrix(hardLinks(NEURONS)),
    trainable: linksToMatrix(SOFT),
  };
}
