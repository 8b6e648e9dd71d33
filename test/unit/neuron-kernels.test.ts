/**
 * Every neuron type's kernel: its derivative (vector-Jacobian product) against central
 * finite differences of its own forward, on random inputs, beside and exactly at the
 * non-smooth points; outputs stay within the declared output paths.
 */
import { describe, expect, it } from 'vitest';
import {
  NEURON_TYPES,
  DOT_CLIP,
  drivingSymbols,
  neuronProblem,
  type NeuronContext,
  type NeuronType,
} from '../../src-shared/machine/neuron-types';
import { PathLayout, ROOT } from '../../src-shared/vvalue/path-layout';
import { Rng } from '../../src-shared/util/rng';
import type { Path } from '../../src-shared/vvalue/vvalue';
import { centralDifference, expectClose } from '../helpers/numeric';

// list-shaped paths too, so that push's head, tail and truncation are all exercised
const PATHS: Path[] = [
  ROOT,
  ['a'],
  ['b'],
  ['a', 'x'],
  ['a', 'x', 'y'],
  ['.'],
  ['c', 'd'],
  ['this'],
  ['this', 'a'],
  ['rest', 'this', 'b'],
  ['rest', 'rest', 'this'],
  ['rest', 'rest', 'rest', 'this', 'a'],
];
const ENV = { inputString: 'ab.' };
const CTX: NeuronContext = { alphabet: ['a', 'b', '.'], params: { a: 2, b: { c: -1 } } };
/** push takes its depth cap K from its parameters. */
const ctxFor = (type: NeuronType, depth = 2): NeuronContext => (type.name === 'push' ? { alphabet: CTX.alphabet, params: { depth } } : CTX);

function setup(type: NeuronType, ctx = ctxFor(type)) {
  const layout = new PathLayout(PATHS);
  const outs = type.outputPaths(
    type.inputs.map(() => PATHS),
    ctx,
  );
  for (const ps of outs) for (const p of ps) layout.intern(p);
  const D = layout.size;
  const kernel = type.kernel(layout, ctx);
  const x = new Float64Array(type.inputs.length * D);
  const y = new Float64Array(type.outputs.length * D);
  const forward = () => {
    kernel.forward(x, 0, y, 0, ENV);
    return y;
  };
  return { layout, D, kernel, x, y, forward, outs };
}

/** Checks Jᵀ·gy from backward() against central differences of gy·forward(x). */
function checkVjp(type: NeuronType, x0: Float64Array | ((x: Float64Array, D: number, rng: Rng) => void), seed: number, h = 1e-6) {
  const rng = new Rng(seed);
  const s = setup(type);
  if (typeof x0 === 'function') x0(s.x, s.D, rng);
  else s.x.set(x0);
  s.forward();
  const gy = Float64Array.from(s.y, () => rng.normal());
  const gx = new Float64Array(s.x.length);
  s.kernel.backward(s.x, 0, Float64Array.from(s.y), 0, gy, 0, gx, 0, 'exact');
  const scalar = () => {
    const y = s.forward();
    let v = 0;
    for (let i = 0; i < y.length; i++) v += (y[i] as number) * (gy[i] as number);
    return v;
  };
  for (let i = 0; i < s.x.length; i++) {
    expectClose(gx[i] as number, centralDifference(scalar, s.x, i, h), `${type.name} ∂/∂x[${i}] (seed ${seed})`, 1e-6, 1e-7);
  }
  return { ...s, gx };
}

const randomFill = (x: Float64Array, _D: number, rng: Rng) => {
  for (let i = 0; i < x.length; i++) x[i] = rng.normal() * 1.5;
};

describe('neuron kernels', () => {
  const differentiable = [...NEURON_TYPES.values()].filter((t) => t.inputs.length > 0 && t.outputs.length > 0);

  it('registry covers the DMM-lite types of spec §3 with their ports', () => {
    const ports = (n: string) => {
      const t = NEURON_TYPES.get(n);
      return t && [t.inputs, t.outputs];
    };
    expect(ports('accum')).toEqual([['dict-1', 'dict-2'], ['dict']]);
    expect(ports('norm')).toEqual([['dict'], ['norm']]);
    expect(ports('dot')).toEqual([['dict-1', 'dict-2'], ['dot']]);
    expect(ports('compare')).toEqual([
      ['dict-1', 'dict-2'],
      ['true', 'false'],
    ]);
    expect(ports('const_1')).toEqual([[], ['const_1']]);
    expect(ports('eos')).toEqual([[], ['char']]);
    expect(ports('timer')).toEqual([['timer'], ['timer']]);
    expect(ports('input')).toEqual([['timer'], ['char']]);
    expect(ports('output')).toEqual([['dict-1', 'dict-2'], []]);
    expect(ports('identity')).toEqual([['in'], ['out']]);
    expect(ports('mult')).toEqual([['gate', 'main'], ['out']]);
    expect(ports('push')).toEqual([['list', 'item', 'gate'], ['list']]);
    expect(NEURON_TYPES.get('push')?.selfLinks).toEqual([['list', 'list']]);
  });

  for (const type of differentiable) {
    it(`${type.name}: derivative matches central differences on random inputs`, () => {
      for (let seed = 1; seed <= 25; seed++) checkVjp(type, randomFill, seed);
    });

    it(`${type.name}: writes only its declared output paths`, () => {
      const rng = new Rng(99);
      const s = setup(type);
      for (let trial = 0; trial < 20; trial++) {
        randomFill(s.x, s.D, rng);
        s.forward();
        s.outs.forEach((paths, q) => {
          const allowed = new Set(paths.map((p) => s.layout.indexOf(p)));
          for (let k = 0; k < s.D; k++) if (!allowed.has(k)) expect(s.y[q * s.D + k]).toBe(0);
        });
      }
    });
  }

  const typ = (n: string) => NEURON_TYPES.get(n) as NeuronType;
  const r = new PathLayout(PATHS).indexOf(ROOT);

  it('compare: beside and exactly at a = b (relu kink, ½ convention = central difference)', () => {
    for (const gap of [1e-3, -1e-3, 0]) {
      checkVjp(
        typ('compare'),
        (x, D, rng) => {
          randomFill(x, D, rng);
          x[D + r] = (x[r] as number) - gap;
        },
        7,
      );
    }
  });

  it('norm: beside and exactly at a tie of the largest |coordinate|, and at zero', () => {
    for (const gap of [1e-3, -1e-3, 0]) {
      checkVjp(
        typ('norm'),
        (x, D, rng) => {
          randomFill(x, D, rng);
          x[1] = 3;
          x[2] = -(3 + gap); // |x2| vs |x1|
        },
        8,
      );
    }
    const { gx } = checkVjp(typ('norm'), new Float64Array(PATHS.length), 9);
    expect(gx.every((g) => g === 0)).toBe(true);
  });

  it('dot: beside and exactly at the clip ±4, and deep inside the clipped region', () => {
    for (const target of [DOT_CLIP - 1e-3, DOT_CLIP + 1e-3, DOT_CLIP, -DOT_CLIP, -DOT_CLIP - 1e-3, 50]) {
      const { gx } = checkVjp(
        typ('dot'),
        (x, D, rng) => {
          for (let k = 0; k < D; k++) {
            x[k] = 0;
            x[D + k] = rng.normal();
          }
          // only coordinate 1 overlaps: s = x[1]·x[D+1]
          x[D + 1] = 2;
          x[1] = target / 2;
        },
        10,
      );
      if (Math.abs(target) > DOT_CLIP) expect(gx.every((g) => g === 0)).toBe(true);
    }
  });

  it('accum: prototype mode passes no gradient to dict-1, exact mode passes it unchanged', () => {
    const s = setup(typ('accum'));
    const rng = new Rng(3);
    randomFill(s.x, s.D, rng);
    s.forward();
    const gy = Float64Array.from(s.y, () => rng.normal());
    for (const mode of ['exact', 'prototype'] as const) {
      const gx = new Float64Array(s.x.length);
      s.kernel.backward(s.x, 0, s.y, 0, gy, 0, gx, 0, mode);
      expect(Array.from(gx.subarray(s.D))).toEqual(Array.from(gy));
      expect(Array.from(gx.subarray(0, s.D))).toEqual(mode === 'exact' ? Array.from(gy) : new Array(s.D).fill(0));
    }
  });

  it('input: emits the next character every 10 cycles and the last one past the end', () => {
    const s = setup(typ('input'));
    const seen: string[] = [];
    for (let t = 0; t <= 60; t++) {
      s.x[r] = t;
      s.forward();
      const hot = PATHS.map((p, k) => [p, s.y[k]] as const).filter(([, v]) => v !== 0);
      if (t % 10 !== 0) expect(hot).toEqual([]);
      else {
        expect(hot).toHaveLength(1);
        seen.push((hot[0] as readonly [Path, number])[0].join('/'));
      }
    }
    expect(seen).toEqual(['a', 'b', '.', '.', '.', '.', '.']);
    s.x[r] = -5; // negative timer counts as 0
    s.forward();
    expect(s.y[s.layout.indexOf(['a'])]).toBe(1);
  });

  const value = (s: ReturnType<typeof setup>, q: number, path: Path) => s.y[q * s.D + s.layout.indexOf(path)] as number;

  it('identity: out is in, coordinate by coordinate', () => {
    const s = setup(typ('identity'));
    randomFill(s.x, s.D, new Rng(4));
    s.forward();
    expect(Array.from(s.y)).toEqual(Array.from(s.x));
  });

  it('mult: out = gate[":number"]·main; only the gate scalar matters', () => {
    const s = setup(typ('mult'));
    randomFill(s.x, s.D, new Rng(5));
    s.x[r] = 0.5;
    s.forward();
    for (let k = 0; k < s.D; k++) expect(s.y[k]).toBe(0.5 * (s.x[s.D + k] as number));
    const before = Array.from(s.y);
    s.x[s.layout.indexOf(['a'])] = 123; // a non-root coordinate of the gate
    s.forward();
    expect(Array.from(s.y)).toEqual(before);
  });

  it('push: gate 1 conses item onto list, gate 0 keeps list, and coordinates deeper than K rest levels go', () => {
    const s = setup(typ('push'), ctxFor(typ('push'), 2));
    const D = s.D;
    const at = (port: number, path: Path, v: number) => {
      s.x[port * D + s.layout.indexOf(path)] = v;
    };
    s.x.fill(0);
    at(0, ['this'], 7); // list = {this: 7, rest: {this: {b: 3}, rest: {this: 9}}}
    at(0, ['rest', 'this', 'b'], 3);
    at(0, ['rest', 'rest', 'this'], 9);
    at(1, ['a'], 1); // item = {a: 1}
    at(2, ROOT, 1); // gate = 1
    s.forward();
    expect(value(s, 0, ['this', 'a'])).toBe(1);
    expect(value(s, 0, ['rest', 'this'])).toBe(7);
    // {rest: {rest: {this: {b: 3}}}} would be at depth 2 but that path is not in this layout;
    // the third element (depth 3) is truncated away
    expect(value(s, 0, ['rest', 'rest', 'rest', 'this', 'a'])).toBe(0);
    expect(value(s, 0, ['this'])).toBe(0);
    at(2, ROOT, 0); // gate = 0: the list stays
    s.forward();
    expect(value(s, 0, ['this'])).toBe(7);
    expect(value(s, 0, ['rest', 'this', 'b'])).toBe(3);
    expect(value(s, 0, ['rest', 'rest', 'this'])).toBe(9);
    expect(value(s, 0, ['this', 'a'])).toBe(0);
    at(2, ROOT, 0.25); // a fuzzy gate mixes both
    s.forward();
    expect(value(s, 0, ['this'])).toBeCloseTo(0.75 * 7, 12);
    expect(value(s, 0, ['rest', 'this'])).toBeCloseTo(0.25 * 7, 12);
    expect(value(s, 0, ['this', 'a'])).toBeCloseTo(0.25, 12);
  });

  it('push: declared output paths stop at K rest levels, so path inference terminates', () => {
    const t = typ('push');
    let list: Path[] = [];
    const seen: number[] = [];
    for (let round = 0; round < 10; round++) {
      const [out] = t.outputPaths([list, [ROOT, ['x']], [ROOT]], { alphabet: [], params: { depth: 2 } });
      list = out as Path[];
      seen.push(list.length);
    }
    // this, this.x, rest.this, rest.this.x, rest.rest.this, rest.rest.this.x
    expect(seen.slice(-3)).toEqual([6, 6, 6]);
    expect(list.every((p) => p.filter((l) => l === 'rest').length <= 2)).toBe(true);
  });

  it('push: gradient matches central differences with K = 0, 1 and 3', () => {
    for (const depth of [0, 1, 3]) {
      const t = typ('push');
      const rng = new Rng(40 + depth);
      const s = setup(t, ctxFor(t, depth));
      randomFill(s.x, s.D, rng);
      s.forward();
      const gy = Float64Array.from(s.y, () => rng.normal());
      const gx = new Float64Array(s.x.length);
      s.kernel.backward(s.x, 0, Float64Array.from(s.y), 0, gy, 0, gx, 0, 'exact');
      const scalar = () => s.forward().reduce((a, v, i) => a + v * (gy[i] as number), 0);
      for (let i = 0; i < s.x.length; i++) {
        expectClose(gx[i] as number, centralDifference(scalar, s.x, i, 1e-6), `push K=${depth} ∂/∂x[${i}]`, 1e-6, 1e-7);
      }
    }
  });

  it('push without a depth cap (or with a bad one) is refused, naming params.depth', () => {
    expect(neuronProblem({ name: 'P', type: 'push' })).toMatch(/push neuron "P": params.depth is required/);
    expect(neuronProblem({ name: 'P', type: 'push', params: { depth: -1 } })).toMatch(/params.depth must be an integer/);
    expect(neuronProblem({ name: 'P', type: 'push', params: { depth: 1.5 } })).toMatch(/params.depth must be an integer/);
    expect(neuronProblem({ name: 'P', type: 'push', params: { depth: 2 } })).toBe('');
    expect(() => typ('push').kernel(new PathLayout([ROOT]), { alphabet: [] })).toThrow(/params.depth is required/);
  });

  it('input in token mode: one word per period, "." a token of its own', () => {
    expect(drivingSymbols('the cat saw the dog. the dog ran .', 'tokens')).toEqual([
      'the',
      'cat',
      'saw',
      'the',
      'dog',
      '.',
      'the',
      'dog',
      'ran',
      '.',
    ]);
    expect(drivingSymbols('ab c', 'characters')).toEqual(['a', 'b', ' ', 'c']);
    const layout = new PathLayout([ROOT, ['the'], ['cat'], ['.']]);
    const kernel = typ('input').kernel(layout, { alphabet: ['the', 'cat', '.'] });
    const x = new Float64Array(layout.size);
    const y = new Float64Array(layout.size);
    const emitted: string[] = [];
    for (const t of [0, 10, 20, 30]) {
      x[0] = t;
      kernel.forward(x, 0, y, 0, { inputString: 'the cat.', inputMode: 'tokens' });
      emitted.push(
        ...layout
          .paths()
          .filter((_, k) => y[k] === 1)
          .map((p) => p.join('/')),
      );
    }
    expect(emitted).toEqual(['the', 'cat', '.', '.']);
    x[0] = 0;
    expect(() => kernel.forward(x, 0, y, 0, { inputString: 'dog', inputMode: 'tokens' })).toThrow(/token "dog" is outside/);
  });
});
