/**
 * `last-three`: a gated dmm-cons list of the last three characters. A relay I of
 * input.char is the item, G = norm(input.char) the gate, and push L (K = 2 rest levels)
 * conses the item onto its list whenever a character arrives and keeps the list
 * otherwise. output.dict-1 ← L.list is compared as a whole tree: {this: {c3: 1}, rest:
 * {this: {c2: 1}, rest: {this: {c1: 1}}}}.
 */
import type { ProblemInput } from '../problem';
import { neuron, teacher, windowed, teacherSizedSchedule } from './build';

export const LAST_THREE = 'last-three';
export const LIST_DEPTH = 2;

export function lastThreeProblem(): ProblemInput {
  return {
    name: LAST_THREE,
    description:
      'A gated list of the last three characters (push with depth cap K = 2): output.dict-1 is the list {this: last, rest: {this: the one before, rest: {this: …}}}, compared as a tree.',
    teacher: teacher(
      [
        neuron('timer', 'timer'),
        neuron('input', 'input'),
        neuron('output', 'output'),
        neuron('I', 'identity'),
        neuron('G', 'norm'),
        neuron('L', 'push', { depth: LIST_DEPTH }),
      ],
      [
        ['I', 'in', 'input', 'char'],
        ['G', 'dict', 'input', 'char'],
        ['L', 'item', 'I', 'out'],
        ['L', 'gate', 'G', 'norm'],
        ['output', 'dict-1', 'L', 'list'],
      ],
    ),
    input: { kind: 'characters' },
    outputs: [{ neuron: 'output', port: 'dict-1', compare: 'tree' }],
    data: {
      training: [windowed('abc'), windowed('abcd'), windowed('hello'), windowed('aab')],
      validation: [windowed('kayak', 'characters', 40), windowed('xyzzy', 'characters', 40)],
      test: [
        windowed('mississippi'), // longer than anything trained on
        windowed('abcdefghij'),
        windowed('zz'),
        windowed('αβγδ'), // another alphabet
        windowed('q.r.s.'),
        { text: 'ab', cycles: 200 }, // the repeated last character fills the list
      ],
      reference: windowed('abcd'),
    },
    search: {
      types: ['identity', 'norm', 'push'],
      sources: [['input', 'char']],
      layers: 2,
      copies: 1,
      skip: true,
      scale: 0.1,
      pushDepth: LIST_DEPTH,
      schedule: teacherSizedSchedule(5, { regrow: { max: 0 }, restarts: { max: 6 } }),
    },
  };
}
