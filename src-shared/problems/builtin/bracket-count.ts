/**
 * `bracket-count`: counting inside brackets with a multiplicative gate. An accumulator A
 * counts every character; depth D = ⟨A, B⟩ with the constant B = {"(": 1, ")": −1}; a mult
 * M passes each character scaled by the depth before it; an accumulator G adds those up
 * and N = max-norm(G). output.dict-1 = D (the bracket depth), output.dict-2 = N (the
 * largest count of one character seen inside brackets, each occurrence counted as often
 * as it is deep: in "x(yy(zz))y" each z counts twice).
 */
import type { ProblemInput } from '../problem';
import { neuron, teacher, windowed, teacherSizedSchedule } from './build';

export const BRACKET_COUNT = 'bracket-count';
export const BRACKET_EXAMPLE = 'x(yy(zz))y';

export function bracketCountProblem(): ProblemInput {
  return {
    name: BRACKET_COUNT,
    description:
      'Counting inside brackets with a gate: output.dict-1 = bracket depth ⟨counts, {"(": 1, ")": −1}⟩, output.dict-2 = the largest depth-weighted count of one character (in "x(yy(zz))y" each z counts twice).',
    teacher: teacher(
      [
        neuron('timer', 'timer'),
        neuron('input', 'input'),
        neuron('B', 'const', { '(': 1, ')': -1 }),
        neuron('output', 'output'),
        neuron('A', 'accum'),
        neuron('D', 'dot'),
        neuron('M', 'mult'),
        neuron('G', 'accum'),
        neuron('N', 'norm'),
      ],
      [
        ['A', 'dict-2', 'input', 'char'],
        ['D', 'dict-1', 'A', 'dict'],
        ['D', 'dict-2', 'B', 'out'],
        ['M', 'gate', 'D', 'dot'],
        ['M', 'main', 'input', 'char'],
        ['G', 'dict-2', 'M', 'out'],
        ['N', 'dict', 'G', 'dict'],
        ['output', 'dict-1', 'D', 'dot'],
        ['output', 'dict-2', 'N', 'norm'],
      ],
    ),
    input: { kind: 'characters' },
    outputs: [
      { neuron: 'output', port: 'dict-1', compare: 'scalar' },
      { neuron: 'output', port: 'dict-2', compare: 'scalar' },
    ],
    data: {
      training: [windowed(BRACKET_EXAMPLE), windowed('(a)(bb)c'), windowed('((c)a)'), windowed('a(b(c)b)a'), windowed('(x(x)x)')],
      validation: [windowed('((ab)(ba))', 'characters', 60), windowed('p(q(r)q)p(q)', 'characters', 40)],
      test: [
        windowed('abc'), // no brackets: everything stays 0
        windowed('(((z)))'), // depth 3
        windowed('((yy)(yy))y'),
        windowed('(mm(nn(oo)nn)mm)'), // longer, deeper
        windowed('x(y)z(y)x(y)'), // several bracket pairs
        windowed('(αβ(γ))'), // another alphabet
        { text: '(a(b', cycles: 200 }, // never closed: the repeated last character keeps counting
      ],
      reference: windowed(BRACKET_EXAMPLE),
    },
    search: {
      types: ['accum', 'dot', 'mult', 'norm'],
      sources: [
        ['input', 'char'],
        ['B', 'out'],
      ],
      layers: 5,
      copies: 1,
      skip: true,
      scale: 0.1,
      schedule: teacherSizedSchedule(9),
    },
  };
}
