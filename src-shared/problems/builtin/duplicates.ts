/**
 * `duplicates`: the duplicate-character detector of spec §4–§5, unchanged: the hand-crafted
 * 9-neuron detector as teacher, characters as input, output.dict-1 (degree of duplication)
 * and output.dict-2 (dots seen, clipped at 4) compared as scalars, the default training,
 * validation and test strings, and the reference L = 5, K = 2 architecture.
 */
import { DEFAULT_TEST_SUITE, DEFAULT_TRAINING_SET, DEFAULT_VALIDATION_SET } from '../../synthesis/dataset';
import { INITIAL_OUTPUTS, OUTPUT_NEURON, OUTPUT_PORTS } from '../duplicates/base';
import { REFERENCE_ARCHITECTURE } from '../duplicates/architecture';
import { handcraftedDetector } from '../duplicates/handcrafted';
import { TRAINING_STRING } from '../duplicates/loss';
import type { ProblemInput } from '../problem';
import { teacherFromSpec } from './build';

export const DUPLICATES = 'duplicates';

export function duplicatesProblem(): ProblemInput {
  return {
    name: DUPLICATES,
    description:
      'The duplicate-character detector (arXiv 1606.09470, §3): output.dict-1 = relu(largest count of one character − 1), output.dict-2 = number of "." seen (clipped at 4). The 2022 DMM-lite synthesis problem.',
    teacher: teacherFromSpec(handcraftedDetector()),
    input: { kind: 'characters' },
    outputs: OUTPUT_PORTS.map((port) => ({ neuron: OUTPUT_NEURON, port, compare: 'scalar' as const })),
    data: {
      training: DEFAULT_TRAINING_SET.map((s) => ({ ...s })),
      validation: DEFAULT_VALIDATION_SET.map((s) => ({ ...s })),
      test: DEFAULT_TEST_SUITE.map((s) => ({ ...s })),
      reference: { text: TRAINING_STRING, cycles: 140 },
    },
    search: {
      types: [...REFERENCE_ARCHITECTURE.types],
      sources: INITIAL_OUTPUTS.map(([n, p]) => [n, p] as [string, string]),
      layers: REFERENCE_ARCHITECTURE.layers,
      copies: REFERENCE_ARCHITECTURE.copies,
      skip: REFERENCE_ARCHITECTURE.skip,
      scale: REFERENCE_ARCHITECTURE.scale,
      schedule: {},
    },
  };
}
