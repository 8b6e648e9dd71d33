/**
 * Every neuron type's kernel: its derivative (vector-Jacobian product) against central
 * finite differences of its own forward, on random inputs, beside and exactly at the
 * non-smooth points; outputs stay within the declared output paths.
 */
import { describe, expect, it } from 'vitest';
import { NEURON_TYPES, DOT_CLIP, type NeuronType } from '../../src-shared/machine/neuron-types';
import { PathLayout, ROOT } from '../../src-shared/vvalue/path-layout';
import { Rng } from '../../src-shared/util/rng';
import type { Path } from '../../src-shared/vvalue/vvalue';
import { centralDifference, expectClose } from '../helpers/numeric';

const PATHS: Path[] = [ROOT, ['a'], ['b'], ['a', 'x'], ['a', 'x', 'y'], ['.'], ['c', 'd']];
const ENV = { inputString: 'ab.' };
const CTX = { alphabet: ['a', 'b', '.'], params: { a: 2, b: { c: -1 } } };

function setup(type: NeuronType) {
  const layout = new PathLayout(PATHS);
  const outs = type.outputPaths(
    type.inputs.map(() => PATHS),
    CTX,
  );
  for (const ps of outs) for (const p of ps) layout.intern(p);
  const D = layout.size;
  const kernel = type.kernel(layout, CTX);
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
});
