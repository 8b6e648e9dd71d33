/**
 * The duplicate-character problem (spec §4–§5): the hand-crafted detector's outputs, the
 * generated starting architectures against the prototype's matrices, and the prototype's
 * numbers reproduced from its saved matrices.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompiledMachine } from '../../src-shared/machine/compiled';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { matrixLinks, linkLabel, type MachineSpec } from '../../src-shared/machine/spec';
import { COMPARE_FREE_ARCHITECTURE, generateArchitecture, REFERENCE_ARCHITECTURE } from '../../src-shared/problems/duplicates/architecture';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { DEFAULT_LOSS, DetectorLoss, TRAINING_STRING } from '../../src-shared/problems/duplicates/loss';

const fixture = (name: string): MachineSpec =>
  importPrototypeMatrix(readFileSync(`resources/circuits/julia-dmm-lite/${name}.json`, 'utf8'));

function handcraftedOutputs(s: string, cycles: number): [number, number][] {
  const spec = handcraftedDetector();
  const m = new CompiledMachine(spec, { alphabet: [...new Set(s + '.')] });
  m.run(m.paramVector(spec.trainable), { inputString: s }, cycles);
  return Array.from({ length: cycles }, (_, i) => [
    m.readInput(i + 1, m.inputOffset('output', 'dict-1'), 0),
    m.readInput(i + 1, m.inputOffset('output', 'dict-2'), 0),
  ]);
}

describe('hand-crafted detector', () => {
  it('has 9 neurons and 11 links of weight 1 (3 hard, 8 soft)', () => {
    const hc = handcraftedDetector();
    expect(hc.neurons).toHaveLength(9);
    const links = [...matrixLinks(hc.fixed), ...matrixLinks(hc.trainable)];
    expect(links).toHaveLength(11);
    expect(links.every((l) => l.weight === 1)).toBe(true);
    expect(matrixLinks(hc.trainable)).toHaveLength(8);
  });

  it('produces the targets of spec §5 on "test string." over 140 cycles', () => {
    const expected = (t: number): [number, number] =>
      t < 35 ? [0, 0] : t < 65 ? [1, 0] : t < 114 ? [2, 0] : t < 124 ? [2, 1] : t < 134 ? [2, 2] : [2, 3];
    handcraftedOutputs(TRAINING_STRING, 140).forEach((y, i) => expect(y, `cycle ${i + 1}`).toEqual(expected(i + 1)));
  });

  it('counts duplicates of any string and clips the dot count at 4', () => {
    // "aaaa" : a at cycles 1, 11, 21, 31 → max count 4 → duplication degree 3, five cycles of pipeline later
    const y = handcraftedOutputs('aaaa', 50);
    expect(y[4]).toEqual([0, 0]);
    expect(y[14]).toEqual([1, 0]);
    expect(y[34]).toEqual([3, 0]);
    // six dots: the dot product passes 4 and stays clipped
    const dots = handcraftedOutputs('......', 80);
    expect(Math.max(...dots.map(([, d]) => d))).toBe(4);
  });

  it('has zero loss against itself', () => {
    const hc = handcraftedDetector();
    const loss = new DetectorLoss(hc, [TRAINING_STRING]);
    const r = loss.evaluate(loss.machine.paramVector(hc.trainable), TRAINING_STRING, DEFAULT_LOSS);
    expect(r.preregLoss).toBe(0);
    expect(r.l1).toBe(8);
  });
});

describe('starting architecture generator', () => {
  const linkSet = (spec: MachineSpec) => new Set(matrixLinks(spec.trainable).map(linkLabel));

  it('L=5, K=2, all four types, skips: exactly the 1486 soft links of the prototype, named the same', () => {
    const gen = generateArchitecture(REFERENCE_ARCHITECTURE);
    expect(matrixLinks(gen.trainable)).toHaveLength(1486);
    expect(linkSet(gen)).toEqual(linkSet(fixture('initial-matrix')));
    expect(gen.neurons).toHaveLength(5 + 5 * 2 * 4);
  });

  it('the compare-free variant with 6 layers has 942 soft links, a superset of the 16-link circuit', () => {
    const gen = generateArchitecture(COMPARE_FREE_ARCHITECTURE);
    expect(matrixLinks(gen.trainable)).toHaveLength(942);
    const all = linkSet(gen);
    for (const l of linkSet(fixture('compare-free-16-params-matrix'))) expect(all.has(l), l).toBe(true);
  });

  it('hard links: timer self-link, input.timer ← timer.timer, one self-link per accumulator', () => {
    const gen = generateArchitecture(REFERENCE_ARCHITECTURE);
    const hard = matrixLinks(gen.fixed).map(linkLabel).sort();
    const accums = gen.neurons.filter((n) => n.type === 'accum').map((n) => `${n.name}.dict-1 ← ${n.name}.dict`);
    expect(hard).toEqual([...accums, 'input.timer ← timer.timer', 'timer.timer ← timer.timer'].sort());
  });

  it('without skip connections each layer reads only the previous one', () => {
    const gen = generateArchitecture({ ...REFERENCE_ARCHITECTURE, skip: false });
    // layer 1: 12 ports × 3 initial outputs; layers 2–5: 12 × 10; output: 2 × 10
    expect(matrixLinks(gen.trainable)).toHaveLength(12 * 3 + 4 * 12 * 10 + 2 * 10);
    for (const l of matrixLinks(gen.trainable)) {
      const layer = (n: string) => (n === 'output' ? 6 : /^[a-z]+-(\d+)-/.exec(n) ? Number(/-(\d+)-/.exec(n)?.[1]) : 0);
      expect(layer(l.to) - layer(l.from), linkLabel(l)).toBe(1);
    }
  });

  it('random initial weights: seeded, scale·N(0,1)', () => {
    const a = matrixLinks(generateArchitecture(REFERENCE_ARCHITECTURE).trainable).map((l) => l.weight);
    const b = matrixLinks(generateArchitecture(REFERENCE_ARCHITECTURE).trainable).map((l) => l.weight);
    const c = matrixLinks(generateArchitecture({ ...REFERENCE_ARCHITECTURE, seed: 7 }).trainable).map((l) => l.weight);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length);
    expect(Math.abs(mean)).toBeLessThan(0.0015);
    expect(sd).toBeGreaterThan(0.009);
    expect(sd).toBeLessThan(0.011);
  });

  it('rejects nonsense options with a message naming the field', () => {
    expect(() => generateArchitecture({ ...REFERENCE_ARCHITECTURE, layers: 0 })).toThrow(/layers/);
    expect(() => generateArchitecture({ ...REFERENCE_ARCHITECTURE, copies: 1.5 })).toThrow(/copies/);
    expect(() => generateArchitecture({ ...REFERENCE_ARCHITECTURE, scale: Number.NaN })).toThrow(/scale/);
    expect(() => generateArchitecture({ ...REFERENCE_ARCHITECTURE, types: ['timer'] })).toThrow(/interneuron/);
    expect(() => generateArchitecture({ ...REFERENCE_ARCHITECTURE, types: ['blob'] })).toThrow(/unknown neuron type/);
  });
});

describe('fidelity to the 2022 prototype', () => {
  const evaluate = (name: string, s = TRAINING_STRING, cycles = 140) => {
    const spec = fixture(name);
    const loss = new DetectorLoss(spec, [s]);
    return loss.evaluate(loss.machine.paramVector(spec.trainable), s, { ...DEFAULT_LOSS, cycles });
  };

  it('initial-matrix.json: prereg loss 434.98627 (rel. error ≤ 1e-4) and Σ|w| 11.908083', () => {
    const r = evaluate('initial-matrix');
    expect(Math.abs(r.preregLoss - 434.98627) / 434.98627).toBeLessThanOrEqual(1e-4);
    expect(r.l1).toBeCloseTo(11.908083, 5);
    expect(r.softLinks).toBe(1486);
  });

  it('2500-steps-matrix.json: the dense phase reached prereg loss ≈ 0.055', () => {
    const r = evaluate('2500-steps-matrix');
    expect(r.preregLoss).toBeGreaterThan(0.05);
    expect(r.preregLoss).toBeLessThan(0.06);
  });

  it('every sparse circuit of the 2022 run is a good detector on its training string', () => {
    for (const name of [
      'sparse16-after-2500-steps-matrix',
      'sparse18-after-100-steps-matrix',
      'sparse19-after-500-steps-matrix',
      'sparse20-after-200-steps-matrix',
      'compare-free-16-params-matrix',
    ]) {
      expect(evaluate(name).preregLoss, name).toBeLessThan(0.1);
    }
  });

  it('the 19-weight circuit does not generalise: error above 1 on a string with five dots', () => {
    const r = evaluate('sparse20-after-200-steps-matrix', 'a.b.c.d.e.', 160);
    expect(r.worstError).toBeGreaterThan(1);
  });
});

describe('bundled copies of the prototype matrices', () => {
  it('are byte-identical to ../shared/fixtures when that folder is present', async () => {
    const { existsSync, readdirSync } = await import('node:fs');
    const shared = '../shared/fixtures/julia-dmm-lite';
    const ours = readdirSync('resources/circuits/julia-dmm-lite').filter((f) => f.endsWith('.json'));
    expect(ours).toHaveLength(8);
    if (!existsSync(shared)) return; // the copies exist precisely for machines without ../shared
    for (const f of readdirSync(shared).filter((x) => x.endsWith('.json'))) {
      expect(readFileSync(`resources/circuits/julia-dmm-lite/${f}`, 'utf8'), f).toBe(readFileSync(`${shared}/${f}`, 'utf8'));
    }
  });
});
