/**
 * Training data as a set of strings, each with its own cycle window, an optional
 * curriculum of growing windows, and the held-out test suite of the duplicate detector.
 */
import { INPUT_PERIOD } from '../machine/neuron-types';

export interface DataString {
  readonly text: string;
  /** Cycles the machine runs on this string. */
  readonly cycles: number;
}

/** Cycles to read a whole string and see its last character's effect (pipeline depth 4, plus margin). */
export function windowFor(text: string, margin = 10): number {
  return INPUT_PERIOD * [...text].length + margin;
}

/**
 * Default training set: short strings, cheap to run, that pin down what one string leaves
 * open — several characters (max ≠ sum), a character seen seven times and seven dots (so
 * neither count can be faked below the clip at 4, which must be seen too).
 */
export const DEFAULT_TRAINING_SET: readonly DataString[] = [
  { text: 'abca.', cycles: 60 },
  { text: 'hello.', cycles: 70 },
  { text: 'b.b..b', cycles: 70 },
  { text: 'aaaaaaa', cycles: 70 },
  { text: '.......', cycles: 70 },
];

/**
 * Validation strings: training-side data the run may look at to judge an attempt (never
 * the test suite). Long windows, so that counts grow far past anything in the training
 * set and a circuit that only fits small counts shows itself.
 */
export const DEFAULT_VALIDATION_SET: readonly DataString[] = [
  { text: 'kayak.', cycles: 200 },
  { text: 'mnopqrstuv', cycles: 160 },
];

/**
 * The held-out test suite: strings unlike the training data, with windows sized to each
 * (several longer than 140 cycles).
 */
export const DEFAULT_TEST_SUITE: readonly DataString[] = [
  { text: 'abcdefghij.', cycles: windowFor('abcdefghij.') }, // no repeated character
  { text: 'zzzzzzzzz', cycles: windowFor('zzzzzzzzz') }, // one character many times
  { text: 'a.b.c.d.e.f.', cycles: windowFor('a.b.c.d.e.f.') }, // six dots, clipped at 4
  { text: 'the quick brown fox.', cycles: windowFor('the quick brown fox.') }, // longer than the training window
  { text: 'mississippi.', cycles: windowFor('mississippi.') }, // several characters repeated
  { text: 'xy.xy.xy...', cycles: windowFor('xy.xy.xy...') },
  { text: 'hello world, hello.', cycles: windowFor('hello world, hello.') },
  { text: 'q', cycles: 60 }, // one character, repeated by the driving input after the end
  { text: 'ab', cycles: 30 }, // short window
  { text: 'no dup.', cycles: 300 }, // a long window past the end of a short string
];

/** Optional curriculum: windows grow linearly from `startCycles` to the full window over `steps` steps. */
export interface Curriculum {
  readonly startCycles: number;
  readonly steps: number;
}

/** The window of `s` at training step `step` (1-based) under `curriculum`. */
export function windowAt(s: DataString, step: number, curriculum?: Curriculum): number {
  if (!curriculum || step >= curriculum.steps) return s.cycles;
  const start = Math.min(curriculum.startCycles, s.cycles);
  const f = Math.max(0, step - 1) / curriculum.steps;
  return Math.max(1, Math.round(start + (s.cycles - start) * f));
}

/** Every character any of the strings can make the input neuron emit. */
export function alphabetOf(sets: Iterable<Iterable<DataString>>): string[] {
  const chars = new Set<string>(['.']);
  for (const set of sets) for (const s of set) for (const c of s.text) chars.add(c);
  return [...chars].sort();
}
