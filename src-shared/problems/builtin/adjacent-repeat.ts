/**
 * `adjacent-repeat`: an LSTM-style latch with a forget gate. Relays R1 ← input, R2 ← R1
 * delay the character; P = norm(input.char) is 1 when a character arrives; the latch Lt
 * (an accumulator) takes R2 in (+1) and forgets its old content through F = mult(gate P,
 * main Lt) (−1), so it holds the previous character; E = ⟨Lt, R2⟩ is 1 for one cycle when
 * a character equals the one before it; C accumulates E. output.dict-1 = C (adjacent
 * repeats so far), output.dict-2 = E (the one-cycle pulse).
 */
import type { ProblemInput } from '../problem';
import { neuron, teacher, windowed, teacherSizedSchedule } from './build';

export const ADJACENT_REPEAT = 'adjacent-repeat';
export const REPEAT_EXAMPLE = 'aab.bb';

export function adjacentRepeatProblem(): ProblemInput {
  return {
    name: ADJACENT_REPEAT,
    description:
      'A latch with a forget gate: output.dict-1 = adjacent repeats so far (a character equal to the one before it), output.dict-2 = a one-cycle pulse at each repeat.',
    teacher: teacher(
      [
        neuron('timer', 'timer'),
        neuron('input', 'input'),
        neuron('output', 'output'),
        neuron('R1', 'identity'),
        neuron('R2', 'identity'),
        neuron('P', 'norm'),
        neuron('Lt', 'accum'),
        neuron('F', 'mult'),
        neuron('E', 'dot'),
        neuron('C', 'accum'),
      ],
      [
        ['R1', 'in', 'input', 'char'],
        ['R2', 'in', 'R1', 'out'],
        ['P', 'dict', 'input', 'char'],
        ['Lt', 'dict-2', 'R2', 'out', 1],
        ['Lt', 'dict-2', 'F', 'out', -1],
        ['F', 'gate', 'P', 'norm'],
        ['F', 'main', 'Lt', 'dict'],
        ['E', 'dict-1', 'Lt', 'dict'],
        ['E', 'dict-2', 'R2', 'out'],
        ['C', 'dict-2', 'E', 'dot'],
        ['output', 'dict-1', 'C', 'dict'],
        ['output', 'dict-2', 'E', 'dot'],
      ],
    ),
    input: { kind: 'characters' },
    outputs: [
      { neuron: 'output', port: 'dict-1', compare: 'scalar' },
      { neuron: 'output', port: 'dict-2', compare: 'scalar' },
    ],
    data: {
      // windows end before the driving input repeats the last character (each repeat of it is an adjacent repeat too)
      training: [
        { text: REPEAT_EXAMPLE, cycles: 60 },
        { text: 'abba', cycles: 40 },
        { text: 'aaab', cycles: 40 },
        { text: 'abcab', cycles: 50 },
        { text: 'xyyzzx', cycles: 60 },
      ],
      validation: [
        { text: 'bookkeeper', cycles: 100 },
        { text: 'abcddcba', cycles: 120 },
      ],
      test: [
        { text: 'mississippi', cycles: 110 },
        { text: 'aabbccddee', cycles: 100 },
        { text: 'abcdefg', cycles: 70 }, // no repeat
        { text: 'zzzzzzzz', cycles: 80 }, // seven repeats
        { text: 'αββγ', cycles: 40 }, // another alphabet
        { text: 'ab', cycles: 200 }, // past the end: the last character repeats every period
        windowed('a.a..a...'),
      ],
      reference: { text: REPEAT_EXAMPLE, cycles: 60 },
    },
    search: {
      types: ['identity', 'norm', 'accum', 'mult', 'dot'],
      sources: [['input', 'char']],
      layers: 1,
      copies: 2,
      skip: true,
      recurrent: true,
      scale: 0.01,
      schedule: teacherSizedSchedule(12),
    },
  };
}
