/**
 * Reverse mode over V-values: the gradient of every tape operation, as a V-value of the
 * parameter's shape, against central finite differences on random deep trees.
 */
import { describe, expect, it } from 'vitest';
import { grad, Tape, type SVar, type VVar } from '../../src-shared/autodiff/tape';
import { NEURON_TYPES } from '../../src-shared/machine/neuron-types';
import { fromLeaves, get, leaves, type Path, type VValue } from '../../src-shared/vvalue/vvalue';
import { expectClose } from '../helpers/numeric';
import fc from 'fast-check';
import { arbVValue } from '../helpers/vvalue-gen';

type Loss = (tape: Tape, w: VVar) => SVar;

/** Central differences of f over every coordinate of W, compared with grad(f)(W). */
function checkGradient(f: Loss, w: VValue, what: string, h = 1e-6): VValue {
  const { value, grad: g } = grad(f)(w);
  const coords = Array.from(leaves(w));
  // the gradient has exactly W's coordinates
  expect(Array.from(leaves(g), ([p]) => p.join('/')).sort()).toEqual(coords.map(([p]) => p.join('/')).sort());
  const evalAt = (v: VValue) => f(new Tape(false), new Tape(false).constant(v)).value;
  expectClose(evalAt(w), value, `${what}: value`);
  coords.forEach(([path], i) => {
    const shifted = (d: number) => evalAt(fromLeaves(coords.map(([p, x], j) => [p, j === i ? x + d : x] as [Path, number])));
    const fd = (shifted(h) - shifted(-h)) / (2 * h);
    expectClose(get(g, path), fd, `${what}: ∂/∂${JSON.stringify(path)}`, 1e-6, 1e-7);
  });
  return g;
}

/** Losses of a parameter W, some with a constant V-value `c` drawn beside W. */
const OPS: Record<string, (c: VValue) => Loss> = {
  'get + square': () => (t, w) => t.square(t.get(w, ['a'])),
  'child + dot with a constant': (c) => (t, w) => t.dot(t.child(w, 'a'), t.constant(c)),
  'wrap + get': () => (t, w) => t.mul(t.get(t.wrap('k', w), ['k', 'b']), t.get(w, [])),
  'linear combination with scalar variables': (c) => {
    return (t, w) => {
      const s1 = t.get(w, ['x']);
      const s2 = t.get(w, ['y', 'a']);
      const lc = t.linearCombination([
        [s1, w],
        [s2, t.constant(c)],
      ]);
      return t.dot(lc, lc);
    };
  },
  'add and scaleBy': () => (t, w) => {
    const s = t.add(w, t.scaleBy(w, t.get(w, ['b'])));
    return t.dot(s, w);
  },
  'dot of the parameter with itself': () => (t, w) => t.dot(w, w),
  maxNorm: () => (t, w) => t.square(t.maxNorm(w)),
  mask: (c) => (t, w) => t.dot(t.mask(w, t.constant(c)), t.mask(w, w)),
  'sum, sub, mul, abs': () => (t, w) => {
    const a = t.get(w, ['a']);
    const b = t.get(w, ['b']);
    return t.sum([t.abs(t.sub(a, b)), t.mul(a, b), t.square(t.get(w, ['c', 'x']))]);
  },
};

describe('tape over V-values', () => {
  for (const [name, make] of Object.entries(OPS)) {
    it(`${name}: gradient matches central differences on random trees`, () => {
      fc.assert(
        fc.property(arbVValue(10, 3), arbVValue(), (w, c) => void checkGradient(make(c), w, name)),
        { numRuns: 20, seed: 17 },
      );
    });
  }

  for (const type of [...NEURON_TYPES.values()].filter((t) => t.inputs.length && t.outputs.length)) {
    it(`neuron ${type.name} on deep trees: gradient through the tape matches central differences`, () => {
      const inputs = fc.tuple(...type.inputs.map(() => arbVValue(6, 3)));
      fc.assert(
        fc.property(inputs, arbVValue(6, 3), (ins, probe) => {
          const w = fromLeaves(
            type.inputs.flatMap((port, i) => Array.from(leaves(ins[i] as VValue), ([p, x]) => [[port, ...p], x] as [Path, number])),
          );
          const f: Loss = (t, wv) => {
            const outs = t.neuron(
              type,
              // push needs its depth cap; every other type ignores or uses `probe`
              { alphabet: ['a', 'b'], params: type.name === 'push' ? { depth: 2 } : probe },
              type.inputs.map((p) => t.child(wv, p)),
              { inputString: 'ab' },
              'exact',
            );
            return t.sum(outs.map((o) => t.dot(o, t.constant(probe))).concat(outs.map((o) => t.square(t.maxNorm(o)))));
          };
          checkGradient(f, w, type.name);
        }),
        { numRuns: 15, seed: 31 },
      );
    });
  }

  it('grad(f)(W) is zero on coordinates f does not use, and a tape without recording refuses backward', () => {
    const w = { a: 1, b: { c: 2, ':number': 3 } };
    const g = grad((t, v) => t.square(t.get(v, ['a'])))(w).grad;
    expect(g).toEqual({ a: 2, b: { c: 0, ':number': 0 } });
    const t = new Tape(false);
    expect(() => t.backward(t.get(t.constant(w), ['a']))).toThrow(/did not record/);
  });
});
