/**
 * The general neuron types (identity, mult, push) and token input in both engines:
 * - the compiled engine and the interpreter give the same traces, port by port;
 * - the compiled engine's exact gradient of a tree-valued loss equals central differences
 *   and the interpreter's tape gradient;
 * - path inference terminates with push's depth cap, and a loop that nests trees deeper
 *   every cycle is refused with a message instead of running forever;
 * - a push without a depth cap is refused by both engines.
 */
import { describe, expect, it } from 'vitest';
import { Tape, type SVar } from '../../src-shared/autodiff/tape';
import { CompiledMachine } from '../../src-shared/machine/compiled';
import { Interpreter } from '../../src-shared/machine/interpreter';
import { drivingSymbols, type InputMode } from '../../src-shared/machine/neuron-types';
import {
  linksToMatrix,
  matrixLinks,
  validateSpec,
  vectorToMatrix,
  type MachineSpec,
  type WeightedLink,
} from '../../src-shared/machine/spec';
import { get, leaves, vequal, type VValue } from '../../src-shared/vvalue/vvalue';
import { centralDifference, expectClose } from '../helpers/numeric';

const l = (to: string, toPort: string, from: string, fromPort: string, weight: number): WeightedLink => ({
  to,
  toPort,
  from,
  fromPort,
  weight,
});

/**
 * Every general type at once: a relay of the input, a gate from its norm, a depth-2 list of
 * the relayed symbols, a multiplicative gate on that list and an accumulator of it.
 */
function generalMachine(depth: number | null = 2, w = 1): MachineSpec {
  return {
    neurons: [
      { name: 'timer', type: 'timer' },
      { name: 'input', type: 'input' },
      { name: 'const_1', type: 'const_1' },
      { name: 'relay', type: 'identity' },
      { name: 'gate', type: 'norm' },
      { name: 'list', type: 'push', ...(depth === null ? {} : { params: { depth } }) },
      { name: 'm', type: 'mult' },
      { name: 'acc', type: 'accum' },
      { name: 'output', type: 'output' },
    ],
    fixed: linksToMatrix([
      l('timer', 'timer', 'timer', 'timer', 1),
      l('input', 'timer', 'timer', 'timer', 1),
      l('list', 'list', 'list', 'list', 1),
      l('acc', 'dict-1', 'acc', 'dict', 1),
    ]),
    trainable: linksToMatrix([
      l('relay', 'in', 'input', 'char', 0.9 * w),
      l('gate', 'dict', 'input', 'char', 0.8 * w),
      l('list', 'item', 'relay', 'out', 1.1 * w),
      l('list', 'gate', 'gate', 'norm', 0.7 * w),
      l('list', 'gate', 'const_1', 'const_1', 0.1 * w),
      l('m', 'gate', 'gate', 'norm', 0.6 * w),
      l('m', 'main', 'list', 'list', 0.5 * w),
      l('acc', 'dict-2', 'm', 'out', 0.4 * w),
      l('output', 'dict-1', 'list', 'list', 1.2 * w),
      l('output', 'dict-2', 'acc', 'dict', 0.3 * w),
    ]),
  };
}

function alphabet(s: string, mode: InputMode): string[] {
  return [...new Set(drivingSymbols(s, mode))];
}

function compareTraces(spec: MachineSpec, s: string, mode: InputMode, cycles: number): number {
  const m = new CompiledMachine(spec, { alphabet: alphabet(s, mode) });
  m.run(m.paramVector(spec.trainable), { inputString: s, inputMode: mode }, cycles);
  const it = new Interpreter(spec, { env: { inputString: s, inputMode: mode } });
  let nonzero = 0;
  for (const n of spec.neurons) {
    const a = m.trace(n.name);
    const b = it.trace(spec.trainable, cycles, n.name);
    a.forEach((c, t) => {
      for (const side of ['inputs', 'outputs'] as const) {
        for (const [port, v] of Object.entries(c[side])) {
          const w = (b[t]?.[side] as Record<string, VValue>)[port] as VValue;
          if (!vequal(v, w, 1e-12))
            expect.fail(`${n.name}.${port} ${side} at cycle ${t + 1}: ${JSON.stringify(v)} vs ${JSON.stringify(w)}`);
          for (const [, x] of leaves(v)) if (x !== 0) nonzero++;
        }
      }
    });
  }
  return nonzero;
}

/** Σ over cycles and over every path of output.dict-1 and output.dict-2 of (y − c)², on the compiled engine. */
function compiledTreeLoss(m: CompiledMachine, w: Float64Array, s: string, mode: InputMode, cycles: number, grad?: Float64Array): number {
  m.run(w, { inputString: s, inputMode: mode }, cycles);
  const offsets = ['dict-1', 'dict-2'].map((p) => m.inputOffset('output', p));
  const D = m.sliceSize;
  const c = (k: number) => 0.1 * (k % 3) - 0.05;
  let total = 0;
  const diffs: number[][] = [];
  for (let t = 1; t <= cycles; t++) {
    const row: number[] = [];
    for (const o of offsets) {
      for (let k = 0; k < D; k++) {
        const d = m.readInput(t, o, k) - c(k);
        row.push(d);
        total += d * d;
      }
    }
    diffs.push(row);
  }
  if (grad) {
    m.backward(
      (t, gIn) => {
        const row = diffs[t - 1] as number[];
        offsets.forEach((o, j) => {
          for (let k = 0; k < D; k++) gIn[o + k] = (gIn[o + k] as number) + 2 * (row[j * D + k] as number);
        });
      },
      'exact',
      grad,
    );
  }
  return total;
}

describe('identity, mult and push in both engines', () => {
  it('same traces for every neuron and port, characters and tokens', () => {
    expect(compareTraces(generalMachine(), 'abcab.', 'characters', 60)).toBeGreaterThan(300);
    expect(compareTraces(generalMachine(), 'the cat saw the dog . the dog ran .', 'tokens', 110)).toBeGreaterThan(300);
    expect(compareTraces(generalMachine(0), 'xyz', 'characters', 40)).toBeGreaterThan(50);
  });

  it('the list holds the last K + 1 relayed symbols', () => {
    const spec = generalMachine(2);
    const ones = { ...spec, trainable: linksToMatrix(matrixLinks(spec.trainable).map((x) => ({ ...x, weight: 1 }))) };
    const m = new CompiledMachine(ones, { alphabet: ['a', 'b', 'c', 'd'] });
    m.run(m.paramVector(ones.trainable), { inputString: 'abcd' }, 45);
    // with both gate links at 1 the gate is 2 when a symbol arrives: use the trace's structure only
    const list = m.trace('list')[44]?.outputs['list'] as VValue;
    const labels = [...leaves(list)].map(([p]) => p.join('.'));
    expect(labels.every((p) => p.split('.').filter((x) => x === 'rest').length <= 2)).toBe(true);
    expect(labels).toContain('rest.rest.this.b');
  });

  it('compiled exact gradient of a tree loss = central differences = the interpreter tape', () => {
    const spec = generalMachine(2, 0.9);
    const s = 'the dog saw the cat .';
    const mode: InputMode = 'tokens';
    const cycles = 70;
    const m = new CompiledMachine(spec, { alphabet: alphabet(s, mode) });
    const w = m.paramVector(spec.trainable);
    const g = new Float64Array(w.length);
    const value = compiledTreeLoss(m, w, s, mode, cycles, g);
    expect(value).toBeGreaterThan(0);
    let nonzero = 0;
    for (let i = 0; i < w.length; i++) {
      const fd = centralDifference(() => compiledTreeLoss(m, w, s, mode, cycles), w, i, 1e-6);
      expectClose(g[i] as number, fd, `∂/∂${JSON.stringify(m.params[i])}`, 1e-5, 1e-7);
      if (Math.abs(fd) > 1e-4) nonzero++;
    }
    expect(nonzero).toBe(w.length);

    // the same loss on the interpreter's tape (paths of the compiled layout, same constants)
    const tape = new Tape(true);
    const wv = tape.variable(spec.trainable);
    const terms: SVar[] = [];
    const paths = m.layout.paths();
    new Interpreter(spec, { env: { inputString: s, inputMode: mode } }).run(tape, wv, cycles, (st) => {
      for (const port of st.inputs.get('output') ?? []) {
        paths.forEach((p, k) => terms.push(tape.square(tape.sub(tape.get(port, p), tape.scalarConstant(0.1 * (k % 3) - 0.05)))));
      }
    });
    const loss = tape.sum(terms);
    tape.backward(loss);
    expectClose(loss.value, value, 'loss', 1e-12);
    const gTree = vectorToMatrix(m.params, g);
    for (const x of matrixLinks(wv.gradient())) {
      expectClose(
        x.weight,
        get(gTree, [x.to, x.toPort, x.from, x.fromPort]),
        `tape ${x.to}.${x.toPort} ← ${x.from}.${x.fromPort}`,
        1e-9,
        1e-10,
      );
    }
  });

  it('a push without a depth cap is refused by both engines and by validateSpec, naming the field', () => {
    const spec = generalMachine(null);
    expect(() => new CompiledMachine(spec, { alphabet: ['a'] })).toThrow(/push neuron "list": params.depth is required/);
    expect(() => new Interpreter(spec, { env: { inputString: 'a' } })).toThrow(/push neuron "list": params.depth is required/);
    expect(validateSpec(spec)).toContainEqual({ path: 'list', message: expect.stringMatching(/params.depth is required/) });
  });

  it('a loop that nests trees deeper every cycle is refused by path inference (it would never terminate)', () => {
    // two lists pushing each other's whole list as their item: this.this.this… grows without bound
    const spec: MachineSpec = {
      neurons: [
        { name: 'const_1', type: 'const_1' },
        { name: 'p', type: 'push', params: { depth: 1 } },
        { name: 'q', type: 'push', params: { depth: 1 } },
      ],
      fixed: linksToMatrix([l('p', 'list', 'p', 'list', 1), l('q', 'list', 'q', 'list', 1)]),
      trainable: linksToMatrix([
        l('p', 'item', 'q', 'list', 1),
        l('q', 'item', 'p', 'list', 1),
        l('p', 'gate', 'const_1', 'const_1', 1),
        l('q', 'gate', 'const_1', 'const_1', 1),
        l('q', 'item', 'const_1', 'const_1', 1),
      ]),
    };
    expect(() => new CompiledMachine(spec, { alphabet: [] })).toThrow(/a loop nests its trees deeper every cycle/);
    // the interpreter runs it (any finite number of cycles is finite)
    const it = new Interpreter(spec, { env: { inputString: 'a' } });
    expect(it.trace(spec.trainable, 5, 'p')).toHaveLength(5);
  });
});
