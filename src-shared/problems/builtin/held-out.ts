/**
 * Strings no built-in problem's data contains, for judging whether a synthesized circuit
 * generalises: longer strings, other alphabets (other words for token input), deeper
 * brackets, more repeats, longer runs of a self-rewriting machine. Used by
 * `scripts/generalisation.ts` (figures in the README) and checked against the teachers by
 * the unit tests; never by synthesis.
 */
import type { DataString } from '../../synthesis/dataset';
import { windowed } from './build';

const chars = (text: string, margin = 10): DataString => windowed(text, 'characters', margin);
const words = (text: string, margin = 10): DataString => windowed(text, 'tokens', margin);

const DUPLICATE_STRINGS: DataString[] = [
  chars('the quick brown fox jumps over the lazy dog.'), // 44 characters
  chars('abababababababababab'), // one character seen ten times
  chars('.a.b.c.d.e.f.'), // seven dots, clipped at 4
  chars('αβγαβγ.δ.'), // another alphabet
  { text: 'xy', cycles: 400 }, // the repeated last character, far past the training windows
];

const HELD_OUT: Readonly<Record<string, readonly DataString[]>> = {
  duplicates: DUPLICATE_STRINGS,
  'word-duplicates': [
    words('the cat and the dog and the bird and the fish sat on the mat .'), // 16 tokens, "the" five times
    words('it . it . it . it . it . it . it .'),
    words('fish fish fish fish fish fish fish fish fish fish fish fish'), // twelve times
    words('zebra yak zebra gnu . yak zebra .'), // words outside the vocabulary
    { text: 'a dog', cycles: 300 },
  ],
  'bracket-count': [
    chars('((((((a))))))'), // depth 6
    chars('(a)(b)(c)(d)(e)(f)(g)(a)'), // many bracket pairs
    chars('x(yyyyyyyy)x'), // many repeats inside
    chars('(((ββ)))γ(β)'), // another alphabet
    chars('(ab(cd(ef)gh)ij)(kl)mn((op))'), // 28 characters
    chars(')a(b'), // a negative depth
    { text: '((q', cycles: 300 },
  ],
  'adjacent-repeat': [
    chars('aaaaaaaaaaaaaaaaaaaa'), // nineteen repeats
    chars('bookkeeping committee'),
    chars('ααββγγδδ'), // another alphabet
    chars('abababababab'), // none
    chars('hello  world..'),
    { text: 'xyz', cycles: 300 }, // the repeated last character, 27 repeats
  ],
  'last-three': [
    chars('the quick brown fox jumps'), // 25 characters
    chars('ααβγαβ'), // another alphabet
    chars('aaaaaa'),
    chars('abcabcabcabc'),
    { text: 'xyz', cycles: 300 },
  ],
  // the machine does not read its text: what is new is the length of the run
  'self-wave': [
    { text: 'a long wave', cycles: 3 + 100 * 3 },
    { text: 'a longer wave', cycles: 3 + 200 * 3 },
  ],
  'self-wave-8': [
    { text: 'a long wave', cycles: 3 + 40 * 8 },
    { text: 'a longer wave', cycles: 3 + 80 * 8 },
  ],
};

/** The held-out strings of a built-in problem ([] for a problem that has none). */
export function heldOutStrings(problem: string): readonly DataString[] {
  return HELD_OUT[problem] ?? [];
}
