/**
 * The fast engine (time-parallel kernel programs, on WebAssembly and on plain TypeScript)
 * against the compiled engine, its oracle:
 * - loss equal to 1e-12 relative and gradient to 1e-12 of its largest entry, in both
 *   gradient modes, on every bundled prototype matrix and on generated layered,
 *   compare-free, deep-tree and fully recurrent machines;
 * - gradients equal central finite differences (recurrent machines, both backends);
 * - recurrent components (run cycle by cycle inside the executors) over several lanes;
 * - a batch of lanes gives each lane's figures and the sum of their gradients;
 * - bad input gets the oracle's errors; what it does not run is refused by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateRecurrent } from '../../src-shared/editor/generators';
import { documentToSpec } from '../../src-shared/editor/document';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import type { EngineName } from '../../src-shared/machine/engine-choice';
import { FastEngineUnsupported, FastMachine } from '../../src-shared/machine/fast/engine';
import { tsBackend } from '../../src-shared/machine/fast/backend';
import { wasmBackend, wasmUnavailableReason } from '../../src-shared/machine/fast/wasm-backend';
import type { GradientMode } from '../../src-shared/machine/neuron-types';
import { linksToMatrix, type MachineSpec, type NeuronSpec } from '../../src-shared/machine/spec';
import { generateArchitecture, REFERENCE_ARCHITECTURE } from '../../src-shared/problems/duplicates/architecture';
import { hardLinks } from '../../src-shared/problems/duplicates/base';
import { DetectorLoss, TargetCache, type LossSettings } from '../../src-shared/problems/duplicates/loss';
import { centralDifference, expectClose } from '../helpers/numeric';

const FIXTURES = 'resources/circuits/julia-dmm-lite';
const FAST: EngineName[] = ['fast', 'fast-ts'];

function fixture(name: string): MachineSpec {
  const file = `${FIXTURES}/${name}`;
  return importPrototypeMatrix(readFileSync(file, 'utf8'), file);
}

/** Loss and gradient of `spec` on each engine; asserts the fast ones equal the compiled one. */
function expectSameAsOracle(spec: MachineSpec, s: string, cycles: number, mode: GradientMode, what: string): void {
  const targets = new TargetCache();
  const settings: LossSettings = { cycles, l1: 0.001, l2: 0.002, gradients: mode };
  const oracle = new DetectorLoss(spec, [s], targets, 'compiled');
  const w = oracle.machine.paramVector(spec.trainable);
  const g0 = new Float64Array(w.length);
  const r0 = oracle.evaluate(w, s, settings, g0);
  expect(Number.isFinite(r0.loss)).toBe(true);
  const gmax = g0.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  expect(gmax).toBeGreaterThan(0);
  for (const engine of FAST) {
    const fast = new DetectorLoss(spec, [s], targets, engine);
    expect(fast.fast, `${what}: ${engine} runs the machine (${fast.fastUnsupported ?? ''})`).toBeDefined();
    const g = new Float64Array(w.length);
    const r = fast.evaluate(w, s, settings, g);
    expectClose(r.preregLoss, r0.preregLoss, `${what} ${engine} ${mode} prereg`, 1e-12, 0);
    expectClose(r.loss, r0.loss, `${what} ${engine} ${mode} loss`, 1e-12, 0);
    expectClose(r.worstError, r0.worstError, `${what} ${engine} ${mode} worst`, 1e-12, 0);
    for (let i = 0; i < w.length; i++) {
      expectClose(g[i] as number, g0[i] as number, `${what} ${engine} ${mode} ∂/∂w[${i}]`, 0, 1e-12 * gmax);
    }
  }
}

describe('fast engine = compiled engine', () => {
  it('loads its WebAssembly kernels here', () => {
    expect(wasmBackend()?.name, wasmUnavailableReason()).toBe('wasm');
  });

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  it('finds the bundled prototype matrices', () => expect(files.length).toBeGreaterThanOrEqual(8));
  for (const f of files) {
    it(`${f}: loss and gradient, exact and prototype modes`, () => {
      const spec = fixture(f);
      for (const mode of ['exact', 'prototype'] as const) expectSameAsOracle(spec, 'test string.', 140, mode, f);
    });
  }

  it('generated layered machines: with and without skips, compare-free, several strings and windows', () => {
    const cases: [MachineSpec, string, number][] = [
      [generateArchitecture({ ...REFERENCE_ARCHITECTURE, layers: 3, copies: 2, scale: 0.3, seed: 4 }), 'abca.', 60],
      [generateArchitecture({ ...REFERENCE_ARCHITECTURE, layers: 4, copies: 1, skip: false, scale: 0.4, seed: 5 }), 'hello world.', 130],
      [generateArchitecture({ ...REFERENCE_ARCHITECTURE, layers: 6, types: ['accum', 'norm', 'dot'], scale: 0.2, seed: 6 }), 'b.b..b', 70],
    ];
    cases.forEach(([spec, s, cycles], i) => {
      for (const mode of ['exact', 'prototype'] as const) expectSameAsOracle(spec, s, cycles, mode, `layered #${i}`);
    });
  });

  it('fully recurrent machines (one strongly connected component, run cycle by cycle)', () => {
    for (const [copies, seed] of [
      [1, 3],
      [2, 8],
    ] as const) {
      const spec = documentToSpec(generateRecurrent({ copies, scale: 0.2, seed }));
      for (const mode of ['exact', 'prototype'] as const) expectSameAsOracle(spec, 'aab.ba', 90, mode, `recurrent ×${copies}`);
    }
  });

  it('a machine whose ports carry deep trees (constants of depth 3)', () => {
    const l = (to: string, toPort: string, from: string, fromPort: string, weight: number) => ({ to, toPort, from, fromPort, weight });
    const neurons: NeuronSpec[] = [
      { name: 'timer', type: 'timer' },
      { name: 'input', type: 'input' },
      { name: 'k1', type: 'const', params: { a: { b: 2, ':number': 1 }, c: { d: { e: -3 } } } },
      { name: 'k2', type: 'const', params: { a: { b: -1 }, c: { d: { e: 0.5, f: 2 } }, ':number': 0.7 } },
      { name: 'acc', type: 'accum' },
      { name: 'n', type: 'norm' },
      { name: 'd', type: 'dot' },
      { name: 'cmp', type: 'compare' },
      { name: 'output', type: 'output' },
    ];
    const spec: MachineSpec = {
      neurons,
      fixed: linksToMatrix(hardLinks(neurons)),
      trainable: linksToMatrix([
        l('acc', 'dict-2', 'k1', 'out', 0.03),
        l('acc', 'dict-2', 'k2', 'out', -0.02),
        l('acc', 'dict-2', 'input', 'char', 0.2),
        l('acc', 'dict-2', 'cmp', 'true', 0.1),
        l('n', 'dict', 'acc', 'dict', 0.25),
        l('d', 'dict-1', 'acc', 'dict', 0.4),
        l('d', 'dict-2', 'k2', 'out', 0.6),
        l('cmp', 'dict-1', 'n', 'norm', 1.1),
        l('cmp', 'dict-2', 'd', 'dot', 0.9),
        l('output', 'dict-1', 'cmp', 'false', 0.5),
        l('output', 'dict-2', 'd', 'dot', 0.7),
        l('output', 'dict-2', 'acc', 'dict', 0.1),
      ]),
    };
    for (const mode of ['exact', 'prototype'] as const) expectSameAsOracle(spec, 'test string.', 120, mode, 'deep');
  });
});

describe('fast engine gradients = central finite differences', () => {
  for (const engine of FAST) {
    it(`${engine}: every soft link of a recurrent machine over 80 cycles`, () => {
      const spec = documentToSpec(generateRecurrent({ copies: 1, scale: 0.3, seed: 21 }));
      const s = 'abba.';
      const loss = new DetectorLoss(spec, [s], new TargetCache(), engine);
      expect(loss.fast).toBeDefined();
      const w = loss.machine.paramVector(spec.trainable);
      const settings: LossSettings = { cycles: 80, l1: 0.01, l2: 0.003, gradients: 'exact' };
      const g = new Float64Array(w.length);
      const r = loss.evaluate(w, s, settings, g);
      const h = 1e-6;
      const roundoff = (1e-15 * r.loss) / h;
      let nonzero = 0;
      for (let i = 0; i < w.length; i++) {
        const fd = centralDifference(() => loss.evaluate(w, s, settings).loss, w, i, h);
        expectClose(g[i] as number, fd, `${engine} ∂loss/∂w[${i}] ${JSON.stringify(loss.machine.params[i])}`, 1e-5, 1e-8 + roundoff);
        if (Math.abs(fd) > 1e-4) nonzero++;
      }
      expect(nonzero).toBeGreaterThan(w.length / 4);
    });
  }
});

describe('lanes: several strings in one pass', () => {
  it('gives each lane its own figures and the sum of the lanes’ gradients', () => {
    const spec = fixture('2500-steps-matrix.json');
    const strings = [
      { text: 'abca.', cycles: 60 },
      { text: 'hello.', cycles: 70 },
      { text: 'b.b..b', cycles: 45 },
    ];
    const targets = new TargetCache();
    const alphabet = strings.map((x) => x.text);
    const oracle = new DetectorLoss(spec, alphabet, targets, 'compiled');
    const w = oracle.machine.paramVector(spec.trainable);
    const sum = new Float64Array(w.length);
    const single = strings.map((x) => oracle.fit(w, x.text, x.cycles, 'exact', sum));
    for (const backend of [tsBackend, wasmBackend()!]) {
      const fast = new FastMachine(
        oracle.machine,
        ['dict-1', 'dict-2'].map((port) => ({ neuron: 'output', port, coordinates: 'root' as const })),
        backend,
      );
      const g = new Float64Array(w.length);
      const res = fast.fit(
        w,
        strings,
        (l, j, t) => targets.get(strings[l]!.text, strings[l]!.cycles).outputs[j]!.values[t - 1] as number,
        'exact',
        g,
      );
      res.forEach((r, l) => expectClose((r.sums[0] as number) + (r.sums[1] as number), single[l]!.preregLoss, `lane ${l}`, 1e-12, 0));
      const gmax = sum.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      for (let i = 0; i < w.length; i++) expectClose(g[i] as number, sum[i] as number, `${backend.name} ∂/∂w[${i}]`, 0, 1e-12 * gmax);
    }
  });
});

describe('recurrent components in one pass of several lanes', () => {
  it('per-lane figures and the summed gradient equal the compiled engine’s, both modes, both backends', () => {
    const spec = documentToSpec(generateRecurrent({ copies: 3, scale: 0.25, seed: 12 }));
    const strings = [
      { text: 'ab.ba', cycles: 50 },
      { text: 'b..ab', cycles: 73 },
    ];
    const targets = new TargetCache();
    const oracle = new DetectorLoss(
      spec,
      strings.map((x) => x.text),
      targets,
      'compiled',
    );
    const w = oracle.machine.paramVector(spec.trainable);
    const observed = ['dict-1', 'dict-2'].map((port) => ({ neuron: 'output', port, coordinates: 'root' as const }));
    for (const mode of ['exact', 'prototype'] as const) {
      const sum = new Float64Array(w.length);
      const single = strings.map((x) => oracle.fit(w, x.text, x.cycles, mode, sum));
      const gmax = sum.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(gmax).toBeGreaterThan(0);
      for (const backend of [tsBackend, wasmBackend()!]) {
        const fast = new FastMachine(oracle.machine, observed, backend);
        expect(fast.structure.components.some((c) => c.kind === 'rec')).toBe(true);
        const g = new Float64Array(w.length);
        const res = fast.fit(
          w,
          strings,
          (l, j, t) => targets.get(strings[l]!.text, strings[l]!.cycles).outputs[j]!.values[t - 1] as number,
          mode,
          g,
        );
        res.forEach((r, l) =>
          expectClose((r.sums[0] as number) + (r.sums[1] as number), single[l]!.preregLoss, `${backend.name} ${mode} lane ${l}`, 1e-12, 0),
        );
        for (let i = 0; i < w.length; i++) {
          expectClose(g[i] as number, sum[i] as number, `${backend.name} ${mode} ∂/∂w[${i}]`, 0, 1e-12 * gmax);
        }
      }
    }
  });

  it('WebAssembly: gradients of a two-copy recurrent machine equal central finite differences', () => {
    const spec = documentToSpec(generateRecurrent({ copies: 2, scale: 0.25, seed: 30 }));
    const s = 'ba.ab';
    const loss = new DetectorLoss(spec, [s], new TargetCache(), 'fast');
    expect(loss.fast?.backend.name).toBe('wasm');
    const w = loss.machine.paramVector(spec.trainable);
    const settings: LossSettings = { cycles: 60, l1: 0, l2: 0, gradients: 'exact' };
    const g = new Float64Array(w.length);
    const r = loss.evaluate(w, s, settings, g);
    const h = 1e-6;
    const roundoff = (1e-15 * r.loss) / h;
    let nonzero = 0;
    // every third weight (the machine has a few hundred)
    for (let i = 0; i < w.length; i += 3) {
      const fd = centralDifference(() => loss.evaluate(w, s, settings).loss, w, i, h);
      expectClose(g[i] as number, fd, `∂loss/∂w[${i}]`, 1e-5, 1e-8 + roundoff);
      if (Math.abs(fd) > 1e-4) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(w.length / 12);
  });
});

describe('bad input on the fast path', () => {
  const spec = fixture('sparse20-after-200-steps-matrix.json');

  it('cycles 0 or above 100 000: the same RangeError as the compiled engine', () => {
    for (const engine of ['compiled', ...FAST] as EngineName[]) {
      const loss = new DetectorLoss(spec, ['ab.'], new TargetCache(), engine);
      const w = loss.machine.paramVector(spec.trainable);
      for (const cycles of [0, 100_001, 2.5]) {
        expect(() => loss.fit(w, 'ab.', cycles, 'exact'), `${engine} ${cycles}`).toThrow(/cycles must be an integer in \[1, 100000\]/);
      }
    }
  });

  it('NaN weights: a non-finite loss on every engine (the CLI then reports divergence), no exception', () => {
    for (const engine of ['compiled', ...FAST] as EngineName[]) {
      const loss = new DetectorLoss(spec, ['ab.'], new TargetCache(), engine);
      const w = loss.machine.paramVector(spec.trainable).fill(Number.NaN);
      const g = new Float64Array(w.length);
      const r = loss.evaluate(w, 'ab.', { cycles: 40, l1: 0.001, l2: 0, gradients: 'exact' }, g);
      expect(Number.isFinite(r.loss), engine).toBe(false);
    }
  });

  it('a character outside the alphabet: the same error', () => {
    for (const engine of ['compiled', ...FAST] as EngineName[]) {
      const loss = new DetectorLoss(spec, ['ab.'], new TargetCache(), engine);
      const w = loss.machine.paramVector(spec.trainable);
      expect(() => loss.fit(w, 'xyz', 30, 'exact'), engine).toThrow(/input character "x" is outside the machine's alphabet/);
    }
  });

  it('a machine with a Self neuron: the same refusal, naming the interpreter', () => {
    const self: MachineSpec = { ...spec, neurons: [...spec.neurons, { name: 'self', type: 'Self' }] };
    for (const engine of ['compiled', ...FAST] as EngineName[]) {
      expect(() => new DetectorLoss(self, ['ab.'], new TargetCache(), engine), engine).toThrow(/needs a static matrix.*interpreter/);
    }
  });

  it('a weight-dependent neuron type without a fast kernel: refused by name, and the loss falls back to the compiled engine', () => {
    // a soft link into the timer makes the timer (and the input it drives) depend on the weights
    const links = [{ to: 'timer', toPort: 'timer', from: 'const_1', fromPort: 'const_1', weight: 0.5 }];
    const odd: MachineSpec = { ...spec, trainable: linksToMatrix([...matrixLinksOf(spec), ...links]) };
    const loss = new DetectorLoss(odd, ['ab.'], new TargetCache(), 'fast');
    expect(loss.fast).toBeUndefined();
    expect(loss.fastUnsupported).toMatch(/does not run "timer" neurons .*use the compiled engine \(--engine compiled\)/);
    const oracle = new DetectorLoss(odd, ['ab.'], new TargetCache(), 'compiled');
    const w = oracle.machine.paramVector(odd.trainable);
    expect(loss.fit(w, 'ab.', 50, 'exact').preregLoss).toBe(oracle.fit(w, 'ab.', 50, 'exact').preregLoss);
    expect(() => new FastMachine(oracle.machine, [{ neuron: 'output', port: 'dict-1', coordinates: 'root' }])).toThrow(
      FastEngineUnsupported,
    );
  });
});

function matrixLinksOf(spec: MachineSpec) {
  const out: { to: string; toPort: string; from: string; fromPort: string; weight: number }[] = [];
  const m = spec.trainable as Record<string, Record<string, Record<string, Record<string, number>>>>;
  for (const [to, ports] of Object.entries(m))
    for (const [toPort, froms] of Object.entries(ports))
      for (const [from, fps] of Object.entries(froms))
        for (const [fromPort, weight] of Object.entries(fps)) out.push({ to, toPort, from, fromPort, weight });
  return out;
}
