/**
 * The two engines and back-propagation through time:
 * - the compiled engine and the V-value interpreter give the same traces (flat and deep
 *   ports) and the same exact gradients;
 * - exact gradients equal central finite differences through hundreds of cycles;
 * - prototype gradients differ from exact ones exactly where an accumulator's self-link
 *   lies on the path, and equal the derivative of the run with accumulator memory frozen;
 * - the Self neuron rewrites the running machine with the t+2 timing of spec §2.
 */
import { describe, expect, it } from 'vitest';
import { Tape, type SVar } from '../../src-shared/autodiff/tape';
import { CompiledMachine } from '../../src-shared/machine/compiled';
import { Interpreter } from '../../src-shared/machine/interpreter';
import type { GradientMode } from '../../src-shared/machine/neuron-types';
import { linksToMatrix, matrixLinks, vectorToMatrix, type MachineSpec, type NeuronSpec } from '../../src-shared/machine/spec';
import { generateArchitecture, REFERENCE_ARCHITECTURE } from '../../src-shared/problems/duplicates/architecture';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { DetectorLoss, type LossSettings } from '../../src-shared/problems/duplicates/loss';
import { ROOT } from '../../src-shared/vvalue/path-layout';
import { get, vequal, type VValue } from '../../src-shared/vvalue/vvalue';
import { centralDifference, expectClose } from '../helpers/numeric';

const small = (seed: number, skip = true, types = REFERENCE_ARCHITECTURE.types, scale = 0.5) =>
  generateArchitecture({ layers: 2, copies: 1, types, skip, scale, seed });

/** A machine whose ports carry deep trees: constants of depth 3 feeding every interneuron type. */
function deepMachine(): MachineSpec {
  const neurons: NeuronSpec[] = [
    { name: 'k1', type: 'const', params: { a: { b: 2, ':number': 1 }, c: { d: { e: -3 } } } },
    { name: 'k2', type: 'const', params: { a: { b: -1 }, c: { d: { e: 0.5, f: 2 } }, ':number': 0.7 } },
    { name: 'acc', type: 'accum' },
    { name: 'n', type: 'norm' },
    { name: 'd', type: 'dot' },
    { name: 'cmp', type: 'compare' },
    { name: 'acc2', type: 'accum' },
  ];
  const l = (to: string, toPort: string, from: string, fromPort: string, weight: number) => ({ to, toPort, from, fromPort, weight });
  return {
    neurons,
    fixed: linksToMatrix([l('acc', 'dict-1', 'acc', 'dict', 1), l('acc2', 'dict-1', 'acc2', 'dict', 1)]),
    trainable: linksToMatrix([
      l('acc', 'dict-2', 'k1', 'out', 0.3),
      l('acc', 'dict-2', 'k2', 'out', -0.2),
      l('acc', 'dict-2', 'cmp', 'true', 0.1),
      l('n', 'dict', 'acc', 'dict', 0.25),
      l('d', 'dict-1', 'acc', 'dict', 0.4),
      l('d', 'dict-2', 'k2', 'out', 0.6),
      l('cmp', 'dict-1', 'n', 'norm', 1.1),
      l('cmp', 'dict-2', 'd', 'dot', 0.9),
      l('acc2', 'dict-2', 'd', 'dot', 0.05),
      l('acc2', 'dict-2', 'acc', 'dict', -0.07),
      l('acc2', 'dict-2', 'cmp', 'false', 0.3),
    ]),
  };
}

function compiledTraces(spec: MachineSpec, s: string, cycles: number) {
  const m = new CompiledMachine(spec, { alphabet: [...new Set(s)] });
  m.run(m.paramVector(spec.trainable), { inputString: s }, cycles);
  return new Map(spec.neurons.map((n) => [n.name, m.trace(n.name)]));
}

function interpretedTraces(spec: MachineSpec, s: string, cycles: number) {
  const it = new Interpreter(spec, { env: { inputString: s } });
  return new Map(spec.neurons.map((n) => [n.name, it.trace(spec.trainable, cycles, n.name)]));
}

function expectSameTraces(spec: MachineSpec, s: string, cycles: number) {
  const a = compiledTraces(spec, s, cycles);
  const b = interpretedTraces(spec, s, cycles);
  let compared = 0;
  for (const [name, ta] of a) {
    const tb = b.get(name);
    expect(tb).toHaveLength(cycles);
    ta.forEach((c, t) => {
      for (const side of ['inputs', 'outputs'] as const) {
        for (const [port, v] of Object.entries(c[side])) {
          const w = (tb?.[t]?.[side] as Record<string, VValue>)[port] as VValue;
          if (!vequal(v, w, 1e-9 * (1 + Math.abs(get(v, ROOT))))) {
            expect.fail(`${name}.${port} ${side} at cycle ${t + 1}: compiled ${JSON.stringify(v)} vs interpreter ${JSON.stringify(w)}`);
          }
          compared++;
        }
      }
    });
  }
  return compared;
}

/** Sum of squares of output.dict-1 and output.dict-2 over all cycles, through the interpreter's tape. */
function interpreterLossGradient(spec: MachineSpec, s: string, cycles: number, target: Float64Array, mode: GradientMode) {
  const tape = new Tape(true);
  const w = tape.variable(spec.trainable);
  const terms: SVar[] = [];
  const it = new Interpreter(spec, { env: { inputString: s }, mode });
  let t = 0;
  it.run(tape, w, cycles, (st) => {
    const ins = st.inputs.get('output');
    for (let j = 0; j < 2; j++) {
      const y = tape.get(ins?.[j] as never, []);
      terms.push(tape.square(tape.sub(y, tape.scalarConstant(target[2 * t + j] as number))));
    }
    t++;
  });
  const loss = tape.sum(terms);
  tape.backward(loss);
  return { value: loss.value, grad: w.gradient() };
}

describe('compiled engine = interpreter', () => {
  it('same traces for every neuron and port on generated machines (with and without skips)', () => {
    for (const [seed, skip] of [
      [1, true],
      [2, false],
      [3, true],
    ] as const) {
      expect(expectSameTraces(small(seed, skip), 'abca.b', 70)).toBeGreaterThan(1000);
    }
  });

  it('same traces on a machine whose ports carry deep trees', () => {
    expect(expectSameTraces(deepMachine(), 'x', 25)).toBeGreaterThan(100);
    const acc = compiledTraces(deepMachine(), 'x', 3).get('acc')?.[2]?.outputs['dict'] as VValue;
    expect(get(acc, ['c', 'd', 'e'])).not.toBe(0); // the depth-3 coordinate really flows
  });

  it('readOutput/readInput at outputOffset/inputOffset read what trace() reports, coordinate by coordinate', () => {
    const spec = small(5, true);
    const s = 'abca.b';
    const m = new CompiledMachine(spec, { alphabet: [...new Set(s)] });
    m.run(m.paramVector(spec.trainable), { inputString: s }, 40);
    let nonzero = 0;
    for (const n of spec.neurons) {
      const cycles = m.trace(n.name);
      cycles.forEach((cycle, i) => {
        for (const [side, read, offsetOf] of [
          ['outputs', m.readOutput.bind(m), m.outputOffset.bind(m)],
          ['inputs', m.readInput.bind(m), m.inputOffset.bind(m)],
        ] as const) {
          for (const [port, v] of Object.entries(cycle[side])) {
            const offset = offsetOf(n.name, port);
            for (const path of m.layout.paths()) {
              const expected = get(v, path);
              const got = offset < 0 ? 0 : read(i + 1, offset, m.layout.indexOf(path));
              expect(got, `${n.name}.${port} ${side} ${path.join('/')} at cycle ${i + 1}`).toBe(expected);
              if (expected !== 0) nonzero++;
            }
          }
        }
      });
    }
    expect(nonzero).toBeGreaterThan(500);
    expect(m.outputOffset('no-such-neuron', 'dict')).toBe(-1);
  });

  it('same loss and exact gradient as the tape (both modes)', () => {
    const spec = small(4);
    const s = 'abcab.';
    const cycles = 60;
    const loss = new DetectorLoss(spec, [s]);
    const w = loss.machine.paramVector(spec.trainable);
    for (const mode of ['exact', 'prototype'] as const) {
      const settings: LossSettings = { cycles, l1: 0, l2: 0, gradients: mode };
      const g = new Float64Array(w.length);
      const r = loss.evaluate(w, s, settings, g);
      // targets from the hand-crafted machine on the same string
      const hc = new DetectorLoss(handcraftedDetector(), [s]);
      const target = new Float64Array(2 * cycles);
      hc.machine.run(hc.machine.paramVector(handcraftedDetector().trainable), { inputString: s }, cycles);
      for (let t = 1; t <= cycles; t++) {
        target[2 * t - 2] = hc.machine.readInput(t, hc.machine.inputOffset('output', 'dict-1'), 0);
        target[2 * t - 1] = hc.machine.readInput(t, hc.machine.inputOffset('output', 'dict-2'), 0);
      }
      const ref = interpreterLossGradient(spec, s, cycles, target, mode);
      expectClose(r.preregLoss, ref.value, `${mode} loss`, 1e-10);
      const gTree = vectorToMatrix(loss.machine.params, g);
      for (const l of matrixLinks(ref.grad)) {
        expectClose(
          get(gTree, [l.to, l.toPort, l.from, l.fromPort]),
          l.weight,
          `${mode} gradient ${l.to}.${l.toPort}←${l.from}.${l.fromPort}`,
          1e-8,
          1e-10,
        );
      }
    }
  });
});

describe('exact gradients = central finite differences', () => {
  const cases = [
    // small weights keep the accumulators of accumulators (quadratic growth) at magnitudes
    // where a central difference still resolves the gradient
    { name: 'generated machine, 300 cycles, skips', spec: small(11, true, REFERENCE_ARCHITECTURE.types, 0.1), s: 'abba.c.', cycles: 300 },
    {
      name: 'generated machine, 200 cycles, no skips',
      spec: small(12, false, REFERENCE_ARCHITECTURE.types, 0.3),
      s: 'xyzx..',
      cycles: 200,
    },
    { name: 'compare-free machine, 140 cycles', spec: small(13, true, ['accum', 'norm', 'dot'], 0.3), s: 'test string.', cycles: 140 },
  ];
  for (const c of cases) {
    it(`${c.name}: every soft link, regulariser included`, () => {
      const loss = new DetectorLoss(c.spec, [c.s]);
      const w = loss.machine.paramVector(c.spec.trainable);
      const settings: LossSettings = { cycles: c.cycles, l1: 0.01, l2: 0.003, gradients: 'exact' };
      const g = new Float64Array(w.length);
      const r = loss.evaluate(w, c.s, settings, g);
      expect(r.preregLoss).toBeGreaterThan(0);
      expect(r.loss).toBeLessThan(1e6);
      const h = 1e-5;
      const roundoff = (1e-15 * r.loss) / h; // what a central difference cannot resolve
      let nonzero = 0;
      for (let i = 0; i < w.length; i++) {
        const fd = centralDifference(() => loss.evaluate(w, c.s, settings).loss, w, i, h);
        expectClose(g[i] as number, fd, `∂loss/∂w[${i}] ${JSON.stringify(loss.machine.params[i])}`, 1e-5, 1e-8 + roundoff);
        if (Math.abs(fd) > 1e-3) nonzero++;
      }
      expect(nonzero).toBeGreaterThan(w.length / 3); // the check is not vacuous
    });
  }

  it('the 1486-weight prototype machine over 140 cycles (a sample of links)', async () => {
    const { importPrototypeMatrix } = await import('../../src-shared/io/prototype-matrix');
    const { readFileSync } = await import('node:fs');
    const spec = importPrototypeMatrix(readFileSync('resources/circuits/julia-dmm-lite/2500-steps-matrix.json', 'utf8'));
    const s = 'test string.';
    const loss = new DetectorLoss(spec, [s]);
    const w = loss.machine.paramVector(spec.trainable);
    const settings: LossSettings = { cycles: 140, l1: 0.001, l2: 0, gradients: 'exact' };
    const g = new Float64Array(w.length);
    loss.evaluate(w, s, settings, g);
    const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b] as number) - Math.abs(g[a] as number));
    for (const i of [...order.slice(0, 40), ...order.filter((_, k) => k % 97 === 0)]) {
      const fd = centralDifference(() => loss.evaluate(w, s, settings).loss, w, i, 1e-6);
      expectClose(g[i] as number, fd, `∂loss/∂w[${i}] ${JSON.stringify(loss.machine.params[i])}`, 1e-4, 1e-6);
    }
  });
});

describe('exact and prototype gradient modes', () => {
  it('agree on a machine without accumulators', () => {
    const spec = small(21, true, ['norm', 'compare', 'dot']);
    const s = 'abab.';
    const loss = new DetectorLoss(spec, [s]);
    const w = loss.machine.paramVector(spec.trainable);
    const grads = (['exact', 'prototype'] as const).map((mode) => {
      const g = new Float64Array(w.length);
      loss.evaluate(w, s, { cycles: 80, l1: 0.001, l2: 0, gradients: mode }, g);
      return Array.from(g);
    });
    expect(grads[0]).toEqual(grads[1]);
    expect(grads[0]?.some((x) => x !== 0)).toBe(true);
  });

  /**
   * The hand-crafted detector with weights moved off 1. Its only link upstream of the
   * accumulator is accum.dict-2 ← input.char: that gradient differs between modes, and the
   * prototype value is the derivative of the run with the accumulator's memory frozen.
   */
  it('differ only upstream of an accumulator on the hand-crafted detector; prototype = frozen-memory derivative', () => {
    const hc = handcraftedDetector();
    const s = 'abcab.a..';
    const cycles = 100;
    const loss = new DetectorLoss(hc, [s]);
    const w = loss.machine.paramVector(hc.trainable).map((x, i) => x * (0.8 + 0.05 * i));
    const settings = (gradients: GradientMode): LossSettings => ({ cycles, l1: 0, l2: 0, gradients });
    const exact = new Float64Array(w.length);
    const proto = new Float64Array(w.length);
    loss.evaluate(w, s, settings('exact'), exact);
    loss.evaluate(w, s, settings('prototype'), proto);
    const upstream = loss.machine.params.findIndex((l) => l.to === 'accum' && l.toPort === 'dict-2');
    expect(upstream).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < w.length; i++) {
      if (i === upstream) expect(Math.abs((exact[i] as number) - (proto[i] as number))).toBeGreaterThan(1e-3);
      else expectClose(proto[i] as number, exact[i] as number, `link ${i} agrees`, 1e-12, 1e-12);
    }
    // exact = finite differences of the real run
    expectClose(
      exact[upstream] as number,
      centralDifference(() => loss.evaluate(w, s, settings('exact')).loss, w, upstream, 1e-6),
      'exact upstream',
      1e-6,
    );

    // prototype = finite differences of the run in which accum.dict-1 replays the unperturbed
    // memory (the accumulator's self-link carries recorded values instead of its own output)
    const base = loss.machine;
    base.run(w, { inputString: s }, cycles);
    const memory = base.trace('accum').map((c) => c.inputs['dict-1'] as VValue);
    const frozen = (wu: number) => {
      // accum.dict(t) = memory(t) + wu·input.char(t−1), memory fixed at the unperturbed run
      const inTrace = base.trace('input');
      const perturbed = Float64Array.from(w);
      perturbed[upstream] = wu;
      // Downstream of the accumulator everything is driven by accum.dict, so the loss is
      // evaluated by a hand simulation of norm, compare, dot and output from that value.
      let total = 0;
      const hcLoss = new DetectorLoss(hc, [s]);
      const ref = hcLoss.machine;
      ref.run(ref.paramVector(hc.trainable), { inputString: s }, cycles);
      // simulate norm/compare/dot/output by hand from the substituted accumulator value
      const wl = (to: string, from: string) => perturbed[loss.machine.params.findIndex((l) => l.to === to && l.from === from)] as number;
      const accVals: VValue[] = [];
      for (let t = 1; t <= cycles; t++) {
        const x = t >= 2 ? (inTrace[t - 2]?.outputs['char'] as VValue) : {};
        const dict: Record<string, number> = {};
        for (const [k, v] of Object.entries(memory[t - 1] as Record<string, number>)) dict[k] = (dict[k] ?? 0) + v;
        for (const [k, v] of Object.entries(x as Record<string, number>)) dict[k] = (dict[k] ?? 0) + wu * v;
        accVals.push(dict);
      }
      const norm: number[] = [0];
      const dot: number[] = [0];
      const cmpTrue: number[] = [0];
      for (let t = 1; t <= cycles; t++) {
        const prevAcc = (t >= 2 ? accVals[t - 2] : {}) as Record<string, number>;
        norm.push(Math.max(0, ...Object.values(prevAcc).map((v) => Math.abs(wl('norm', 'accum') * v))));
        const d = (prevAcc['.'] ?? 0) * wl('dot', 'accum') * (t >= 2 ? wl('dot', 'eos') : 0);
        dot.push(Math.max(-4, Math.min(4, d)));
        const a = t >= 2 ? wl('compare', 'norm') * (norm[t - 1] as number) : 0;
        const b = t >= 2 ? wl('compare', 'const_1') : 0;
        cmpTrue.push(Math.max(0, a - b));
        const y1 = t >= 2 ? wl('output', 'compare') * (cmpTrue[t - 1] as number) : 0;
        const y2 = t >= 2 ? wl('output', 'dot') * (dot[t - 1] as number) : 0;
        const o = ref.inputOffset('output', 'dict-1');
        const o2 = ref.inputOffset('output', 'dict-2');
        total += (y1 - ref.readInput(t, o, 0)) ** 2 + (y2 - ref.readInput(t, o2, 0)) ** 2;
      }
      return total;
    };
    // the hand simulation reproduces the engine's loss at the unperturbed point
    expectClose(frozen(w[upstream] as number), loss.evaluate(w, s, settings('exact')).preregLoss, 'hand simulation = engine', 1e-9);
    const h = 1e-6;
    const fdFrozen = (frozen((w[upstream] as number) + h) - frozen((w[upstream] as number) - h)) / (2 * h);
    expectClose(proto[upstream] as number, fdFrozen, 'prototype upstream = frozen-memory derivative', 1e-6);
  });
});

describe('the Self neuron (a machine that rewrites its own weights)', () => {
  /**
   * W0: probe.dict-2 ← const_1 (weight 1), Self.matrix ← Self.matrix (1), Self.delta ← d.out (s).
   * d emits, every cycle from up-movement 1 on, the delta "probe.dict-2 ← const_1 += 0.5".
   * A delta emitted on up-movement t reaches Self on down t+1, is added on up t+1 and is used
   * on down t+2, so the probe's input at cycle t is 1 + 0.5·s·(t − 2) for t ≥ 2.
   */
  const selfSpec = (s: number): MachineSpec => ({
    neurons: [
      { name: 'Self', type: 'Self' },
      { name: 'const_1', type: 'const_1' },
      { name: 'probe', type: 'norm' },
      { name: 'd', type: 'const', params: { probe: { dict: { const_1: { const_1: 0.5 } } } } },
    ],
    fixed: linksToMatrix([
      { to: 'Self', toPort: 'matrix', from: 'Self', fromPort: 'matrix', weight: 1 },
      { to: 'probe', toPort: 'dict', from: 'const_1', fromPort: 'const_1', weight: 1 },
    ]),
    trainable: linksToMatrix([{ to: 'Self', toPort: 'delta', from: 'd', fromPort: 'out', weight: s }]),
  });

  function probeInputs(spec: MachineSpec, cycles: number): number[] {
    const it = new Interpreter(spec, { env: { inputString: 'a' } });
    return it.trace(spec.trainable, cycles, 'probe').map((c) => get(c.inputs['dict'] as VValue, ROOT));
  }

  it('rewrites one of its own weights with the t+2 timing', () => {
    const seen = probeInputs(selfSpec(1), 8);
    // cycle 1: const_1 has not fired yet; cycle 2: W0; from cycle 3: the delta of up-movement 1
    expect(seen).toEqual([0, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    // the running matrix is visible as Self's output
    const it = new Interpreter(selfSpec(1), { env: { inputString: 'a' } });
    const self = it.trace(selfSpec(1).trainable, 3, 'Self').map((c) => c.outputs['matrix'] as VValue);
    expect(get(self[0] as VValue, ['probe', 'dict', 'const_1', 'const_1'])).toBe(1);
    expect(get(self[1] as VValue, ['probe', 'dict', 'const_1', 'const_1'])).toBe(1.5);
  });

  it('without the delta link the machine never changes', () => {
    expect(probeInputs(selfSpec(0), 6)).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('rejects the compiled engine, and its gradient through Self matches central differences', () => {
    expect(() => new CompiledMachine(selfSpec(1), { alphabet: [] })).toThrow(/Self/);
    const cycles = 9;
    const f = (tape: Tape, w: ReturnType<Tape['variable']>) => {
      const terms: ReturnType<Tape['square']>[] = [];
      new Interpreter(selfSpec(0), { env: { inputString: 'a' } }).run(tape, w, cycles, (st) => {
        terms.push(tape.square(tape.get(st.inputs.get('probe')?.[0] as never, [])));
      });
      return tape.sum(terms);
    };
    const tape = new Tape(true);
    const w = tape.variable(selfSpec(0.7).trainable);
    const out = f(tape, w);
    tape.backward(out);
    const g = get(w.gradient(), ['Self', 'delta', 'd', 'out']);
    const value = (s: number) => {
      const t = new Tape(false);
      return f(t, t.constant(selfSpec(s).trainable)).value;
    };
    // closed form: Σ_{t=2..9} (1 + 0.5·s·(t−2))², derivative Σ (1 + 0.5 s (t−2))·(t−2)
    let closed = 0;
    for (let t = 2; t <= cycles; t++) closed += (1 + 0.35 * (t - 2)) * (t - 2);
    expectClose(g, closed, 'closed form');
    expectClose(g, (value(0.7 + 1e-6) - value(0.7 - 1e-6)) / 2e-6, 'central difference', 1e-6);
  });
});
