/**
 * `word-duplicates`: the same 9-neuron detector, driven by word tokens instead of
 * characters (one word per period, "." a token of its own): output.dict-1 is the largest
 * number of times one word has been seen, minus one; output.dict-2 the number of "." tokens
 * (clipped at 4). A circuit synthesized on characters runs unchanged on tokens.
 */
import { handcraftedDetector } from '../duplicates/handcrafted';
import { INITIAL_OUTPUTS, OUTPUT_NEURON, OUTPUT_PORTS } from '../duplicates/base';
import type { ProblemInput } from '../problem';
import { teacherFromSpec, windowed, teacherSizedSchedule } from './build';

export const WORD_DUPLICATES = 'word-duplicates';

/** The sentence whose timeline the documentation gives (110 cycles). */
export const WORD_EXAMPLE = 'the cat saw the dog . the dog ran .';

const VOCABULARY = ['the', 'a', 'cat', 'dog', 'bird', 'fish', 'saw', 'ran', 'sat', 'ate', 'on', 'big', 'red', 'mat', 'and', 'it', '.'];

const tokens = (text: string, margin = 10) => windowed(text, 'tokens', margin);

export function wordDuplicatesProblem(): ProblemInput {
  return {
    name: WORD_DUPLICATES,
    description:
      'The duplicate detector over word tokens: output.dict-1 = relu(largest count of one word − 1), output.dict-2 = number of "." tokens (clipped at 4).',
    teacher: teacherFromSpec(handcraftedDetector()),
    input: { kind: 'tokens', vocabulary: VOCABULARY },
    outputs: OUTPUT_PORTS.map((port) => ({ neuron: OUTPUT_NEURON, port, compare: 'scalar' as const })),
    data: {
      // as for characters: several words (max ≠ sum), one word seven times, seven dots
      training: [
        tokens('a cat saw a dog .'),
        tokens('the big red dog ran .'),
        tokens('dog . dog . . dog'),
        tokens('the the the the the the the'),
        tokens('. . . . . . .'),
      ],
      validation: [
        { text: 'the bird sat on the mat .', cycles: 200 },
        { text: 'a big red cat ate fish and it ran', cycles: 160 },
      ],
      test: [
        { text: WORD_EXAMPLE, cycles: 110 },
        tokens('a big red bird sat on it .'), // no repeated word
        tokens('cat cat cat cat cat cat cat cat cat'),
        tokens('a . cat . dog . bird . fish . it .'), // six dots, clipped at 4
        tokens('the dog saw the cat and the cat saw the dog .'),
        tokens('fish and fish and fish . . .'),
        { text: 'it', cycles: 60 },
        { text: 'the dog ran .', cycles: 300 },
      ],
      reference: { text: WORD_EXAMPLE, cycles: 110 },
    },
    search: {
      types: ['accum', 'norm', 'compare', 'dot'],
      sources: INITIAL_OUTPUTS.map(([n, p]) => [n, p] as [string, string]),
      layers: 5,
      copies: 2,
      skip: true,
      scale: 0.01,
      schedule: teacherSizedSchedule(8),
    },
  };
}
