/**
 * Circuit surgery of synthesis (src-shared/synthesis/circuit.ts). Every surgery is judged
 * by running the machine with the compiled engine before and after it:
 * - dropping the links deadLinks reports leaves the outputs bit for bit the same, while
 *   dropping a live link changes them;
 * - merging parallel links (compare: dict-1 − dict-2; accum: dict-1 + dict-2) and folding
 *   duplicate neurons into the neurons they duplicate preserve the function to ~1e-12.
 */
import { describe, expect, it } from 'vitest';
import { CompiledMachine } from '../../src-shared/machine/compiled';
import { linksToMatrix, matrixLinks, type Link, type MachineSpec, type NeuronSpec, type WeightedLink } from '../../src-shared/machine/spec';
import { generateArchitecture } from '../../src-shared/problems/duplicates/architecture';
import { hardLinks } from '../../src-shared/problems/duplicates/base';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { DetectorLoss } from '../../src-shared/problems/duplicates/loss';
import {
  applyMerges,
  applyNeuronMerges,
  circuitFromSpec,
  circuitToSpec,
  deadLinks,
  duplicateNeurons,
  keepLinks,
  linkKey,
  parallelMerges,
  type Circuit,
} from '../../src-shared/synthesis/circuit';
import { Rng } from '../../src-shared/util/rng';
import { ROOT } from '../../src-shared/vvalue/path-layout';

const STRINGS: readonly [string, number][] = [
  ['abca.', 60],
  ['b.b..b', 70],
];

/** output.dict-1 and output.dict-2 at every cycle, interleaved, run by the compiled engine. */
function outputs(spec: MachineSpec, text: string, cycles: number): Float64Array {
  const m = new CompiledMachine(spec, { alphabet: [...new Set(text + '.')].sort() });
  m.run(m.paramVector(spec.trainable), { inputString: text }, cycles);
  const root = m.layout.indexOf(ROOT);
  const offsets = ['dict-1', 'dict-2'].map((p) => m.inputOffset('output', p));
  const out = new Float64Array(2 * cycles);
  for (let t = 1; t <= cycles; t++) {
    offsets.forEach((o, j) => {
      out[2 * (t - 1) + j] = o < 0 ? 0 : m.readInput(t, o, root);
    });
  }
  return out;
}

const outputsOf = (c: Circuit) => STRINGS.map(([s, n]) => outputs(circuitToSpec(c), s, n));

/** Loss of spec §5 (no regulariser) summed over the test strings. */
function lossOf(c: Circuit): number {
  const spec = circuitToSpec(c);
  const loss = new DetectorLoss(
    spec,
    STRINGS.map(([s]) => s),
  );
  const w = loss.machine.paramVector(spec.trainable);
  return STRINGS.reduce((a, [s, n]) => a + loss.fit(w, s, n, 'exact').preregLoss, 0);
}

function expectBitIdentical(a: readonly Float64Array[], b: readonly Float64Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, k) => {
    const y = b[k] as Float64Array;
    expect(y.length).toBe(x.length);
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] === y[i])) expect.fail(`string ${k}, element ${i}: ${x[i]} ≠ ${y[i]}`);
    }
  });
}

function expectClose(a: readonly Float64Array[], b: readonly Float64Array[], rel = 1e-12): void {
  a.forEach((x, k) => {
    const y = b[k] as Float64Array;
    expect(y.length).toBe(x.length);
    for (let i = 0; i < x.length; i++) {
      const tol = rel * Math.max(1, Math.abs(x[i] as number), Math.abs(y[i] as number));
      if (!(Math.abs((x[i] as number) - (y[i] as number)) <= tol)) expect.fail(`string ${k}, element ${i}: ${x[i]} vs ${y[i]}`);
    }
  });
}

/** The largest |output| over the strings: the cases below must not be trivially zero. */
const magnitude = (o: readonly Float64Array[]) => Math.max(...o.map((x) => Math.max(...Array.from(x, Math.abs))));

function specOf(neurons: readonly NeuronSpec[], soft: readonly WeightedLink[]): MachineSpec {
  return { neurons, fixed: linksToMatrix(hardLinks(neurons)), trainable: linksToMatrix(soft) };
}

const link = (to: string, toPort: string, from: string, fromPort: string, weight: number): WeightedLink => ({
  to,
  toPort,
  from,
  fromPort,
  weight,
});

const ALL_TYPES = ['accum', 'norm', 'compare', 'dot'];

/** A generated architecture with weights scale·N(0,1), large enough for lively outputs. */
const generated = (layers: number, copies: number, seed: number, scale = 0.4) =>
  generateArchitecture({ layers, copies, types: ALL_TYPES, skip: true, scale, seed });

describe('circuitFromSpec / circuitToSpec', () => {
  it('lists the soft links in matrixLinks order with their weights, and converts back to the same machine', () => {
    const spec = generated(2, 1, 5);
    const c = circuitFromSpec(spec);
    const links = matrixLinks(spec.trainable);
    expect(c.links).toEqual(links.map(({ to, toPort, from, fromPort }) => ({ to, toPort, from, fromPort })));
    expect(Array.from(c.weights)).toEqual(links.map((l) => l.weight));
    expect(matrixLinks(circuitToSpec(c).trainable)).toEqual(links);
    expectBitIdentical(
      outputsOf(c),
      STRINGS.map(([s, n]) => outputs(spec, s, n)),
    );
  });
});

describe('deadLinks', () => {
  it('finds nothing to drop in the hand-crafted detector (every link matters)', () => {
    expect(deadLinks(circuitFromSpec(handcraftedDetector()))).toEqual([]);
  });

  it('finds exactly the links that cannot reach the output or only carry zeros; dropping them changes nothing', () => {
    const hc = handcraftedDetector();
    const neurons: NeuronSpec[] = [
      ...hc.neurons,
      { name: 'norm-9-1', type: 'norm' }, // fed, but read by nobody
      { name: 'dot-9-1', type: 'dot' }, // read by the output, fed by nobody
      { name: 'accum-8-1', type: 'accum' }, // accum-8-1 and norm-8-1 feed each other only: zero forever
      { name: 'norm-8-1', type: 'norm' },
      { name: 'compare-9-1', type: 'compare' }, // fed only by the zero loop, read by the output
    ];
    const dead: WeightedLink[] = [
      link('norm-9-1', 'dict', 'accum', 'dict', 0.7),
      link('output', 'dict-2', 'dot-9-1', 'dot', 1.3),
      link('norm-8-1', 'dict', 'accum-8-1', 'dict', 0.9),
      link('accum-8-1', 'dict-2', 'norm-8-1', 'norm', 1.1),
      link('compare-9-1', 'dict-1', 'norm-8-1', 'norm', 2),
      link('output', 'dict-1', 'compare-9-1', 'true', 0.5),
    ];
    const c = circuitFromSpec(specOf(neurons, [...matrixLinks(hc.trainable), ...dead]));
    const found = deadLinks(c).map((i) => linkKey(c.links[i] as Link));
    expect(found.sort()).toEqual(dead.map(linkKey).sort());

    const kept = keepLinks(
      c,
      c.links.flatMap((_, i) => (found.includes(linkKey(c.links[i] as Link)) ? [] : [i])),
    );
    const before = outputsOf(c);
    expectBitIdentical(outputsOf(kept), before);
    // and what remains is the hand-crafted detector, with its outputs
    expectBitIdentical(
      before,
      STRINGS.map(([s, n]) => outputs(hc, s, n)),
    );
    expect(magnitude(before)).toBeGreaterThan(0);
  });

  it('on a randomly pruned generated machine: dropping the dead links keeps outputs and loss bit-identical, dropping a live one does not', () => {
    const full = circuitFromSpec(generated(3, 1, 11));
    const rng = new Rng(2024);
    const liveKey = linkKey({ to: 'output', toPort: 'dict-1', from: 'const_1', fromPort: 'const_1' });
    const keep = full.links.flatMap((l, i) => (linkKey(l) === liveKey || rng.next() < 0.3 ? [i] : []));
    const c = keepLinks(full, keep);
    const dead = deadLinks(c);
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.length).toBeLessThan(c.links.length);

    const before = outputsOf(c);
    expect(magnitude(before)).toBeGreaterThan(0.01);
    const deadSet = new Set(dead);
    const pruned = keepLinks(
      c,
      c.links.map((_, i) => i).filter((i) => !deadSet.has(i)),
    );
    expectBitIdentical(outputsOf(pruned), before);
    expect(lossOf(pruned)).toBe(lossOf(c));
    // nothing dead is left behind: dropping dead links makes no new ones
    expect(deadLinks(pruned)).toEqual([]);

    // output.dict-1 ← const_1.const_1 adds its weight to dict-1 at every cycle: it is live
    const live = c.links.findIndex((l) => linkKey(l) === liveKey);
    expect(live).toBeGreaterThanOrEqual(0);
    expect(deadSet.has(live)).toBe(false);
    const without = keepLinks(
      c,
      c.links.map((_, i) => i).filter((i) => i !== live),
    );
    const changed = outputsOf(without);
    // at cycle 2 and later dict-1 differs by exactly what the removed weight carried (const_1 = 1)
    const w = c.weights[live] as number;
    expect(w).not.toBe(0);
    expect((before[0] as Float64Array)[2 * 5] as number).toBeCloseTo(((changed[0] as Float64Array)[2 * 5] as number) + w, 12);
    expect(lossOf(without)).not.toBe(lossOf(c));
  });
});

describe('parallelMerges / applyMerges', () => {
  it('compare: dict-1 and dict-2 links from one source become one dict-1 link of weight w₁ − w₂, same function', () => {
    const c = circuitFromSpec(generated(2, 1, 3));
    const merges = parallelMerges(c);
    // independently: every source port feeding both dict-1 and dict-2 of a compare is a pair
    const compares = ['compare-1-1', 'compare-2-1'];
    const sourcesOf = (n: string, port: string) =>
      new Set(c.links.filter((l) => l.to === n && l.toPort === port).map((l) => `${l.from}.${l.fromPort}`));
    const expectedPairs = compares.reduce((a, n) => {
      const d2 = sourcesOf(n, 'dict-2');
      return a + [...sourcesOf(n, 'dict-1')].filter((s) => d2.has(s)).length;
    }, 0);
    expect(expectedPairs).toBeGreaterThan(0);
    expect(merges).toHaveLength(expectedPairs);

    const { circuit, keep } = applyMerges(c, merges);
    expect(circuit.links).toHaveLength(c.links.length - merges.length);
    expect(circuit.links).toEqual(keep.map((i) => c.links[i]));
    for (const m of merges) {
      const kept = c.links[m.kept] as Link;
      const absorbed = c.links[m.absorbed] as Link;
      expect(kept.to).toBe(absorbed.to);
      expect([kept.from, kept.fromPort]).toEqual([absorbed.from, absorbed.fromPort]);
      expect(kept.toPort).toBe('dict-1');
      expect(absorbed.toPort).toBe('dict-2');
      const at = circuit.links.findIndex((l) => linkKey(l) === linkKey(kept));
      expect(circuit.weights[at]).toBe((c.weights[m.kept] as number) - (c.weights[m.absorbed] as number));
      expect(circuit.links.some((l) => linkKey(l) === linkKey(absorbed))).toBe(false);
    }
    // no dot or accum link was touched (dot is bilinear in dict-1, dict-2)
    const survivors = new Set(circuit.links.map(linkKey));
    for (const l of c.links) if (!l.to.startsWith('compare')) expect(survivors.has(linkKey(l))).toBe(true);

    const before = outputsOf(c);
    expect(magnitude(before)).toBeGreaterThan(0.01);
    expectClose(outputsOf(circuit), before);
    expect(parallelMerges(circuit)).toEqual([]);
  });

  it('compare in the hand-crafted detector: extra parallel links merge to the same function', () => {
    const hc = handcraftedDetector();
    const c = circuitFromSpec(
      specOf(hc.neurons, [
        ...matrixLinks(hc.trainable),
        link('compare', 'dict-1', 'const_1', 'const_1', 0.4), // parallel to compare.dict-2 ← const_1 (weight 1)
        link('compare', 'dict-2', 'norm', 'norm', 0.25), // parallel to compare.dict-1 ← norm (weight 1)
      ]),
    );
    const merges = parallelMerges(c);
    expect(merges).toHaveLength(2);
    const { circuit } = applyMerges(c, merges);
    const weightOf = (cc: Circuit, l: Link) => cc.weights[cc.links.findIndex((x) => linkKey(x) === linkKey(l))];
    expect(weightOf(circuit, { to: 'compare', toPort: 'dict-1', from: 'const_1', fromPort: 'const_1' })).toBeCloseTo(0.4 - 1, 15);
    expect(weightOf(circuit, { to: 'compare', toPort: 'dict-1', from: 'norm', fromPort: 'norm' })).toBeCloseTo(1 - 0.25, 15);
    expect(circuit.links.filter((l) => l.to === 'compare' && l.toPort === 'dict-2')).toEqual([]);
    const before = outputsOf(c);
    expect(magnitude(before)).toBeGreaterThan(0.1);
    expectClose(outputsOf(circuit), before);
  });

  it('accum: dict-1 and dict-2 links from one source become one dict-2 link of weight w₁ + w₂, same function', () => {
    const spec = generated(2, 1, 8);
    const base = matrixLinks(spec.trainable);
    const rng = new Rng(99);
    // generated machines feed accum.dict-1 only by the hard self-link: add parallel soft links to it
    const extra = base
      .filter((l) => l.to === 'accum-2-1' && l.toPort === 'dict-2')
      .map((l) => ({ ...l, toPort: 'dict-1', weight: 0.4 * rng.normal() }));
    expect(extra.length).toBeGreaterThan(3);
    const c = circuitFromSpec({ ...spec, trainable: linksToMatrix([...base, ...extra]) });
    const merges = parallelMerges(c).filter((m) => (c.links[m.kept] as Link).to === 'accum-2-1');
    expect(merges).toHaveLength(extra.length);
    const { circuit } = applyMerges(c, merges);
    expect(circuit.links.filter((l) => l.to === 'accum-2-1' && l.toPort === 'dict-1')).toEqual([]);
    for (const e of extra) {
      const d2 = { ...e, toPort: 'dict-2' };
      const before = c.weights[c.links.findIndex((l) => linkKey(l) === linkKey(d2))] as number;
      const after = circuit.weights[circuit.links.findIndex((l) => linkKey(l) === linkKey(d2))] as number;
      expect(after).toBe(before + e.weight);
    }
    const before = outputsOf(c);
    expect(magnitude(before)).toBeGreaterThan(0.01);
    expectClose(outputsOf(circuit), before);
  });
});

describe('duplicateNeurons / applyNeuronMerges', () => {
  /** The generated 2×2 machine with neuron `dup`'s soft inputs set to s × those of `orig`. */
  function withDuplicate(orig: string, dup: string, s: number, seed = 21): Circuit {
    const spec = generated(2, 2, seed);
    const links = matrixLinks(spec.trainable);
    const of = new Map(links.filter((l) => l.to === orig).map((l) => [JSON.stringify([l.toPort, l.from, l.fromPort]), l.weight]));
    const edited = links.map((l) => {
      if (l.to !== dup) return l;
      const w = of.get(JSON.stringify([l.toPort, l.from, l.fromPort]));
      if (w === undefined) throw new Error(`${orig} has no input like ${JSON.stringify(l)}`);
      return { ...l, weight: s * w };
    });
    return circuitFromSpec({ ...spec, trainable: linksToMatrix(edited) });
  }

  const everyLink = (c: Circuit) => new Set(c.links.map(linkKey));

  const cases: [string, string, string, number, number][] = [
    // type, kept, duplicate, s, the expected factor g(s): out(dup) = g(s)·out(kept)
    ['norm (max-norm: |s|)', 'norm-1-1', 'norm-1-2', -2.5, 2.5],
    ['accum (linear, memory included: s)', 'accum-1-1', 'accum-1-2', -0.5, -0.5],
    ['compare (relu of a difference: s > 0)', 'compare-1-1', 'compare-1-2', 1.75, 1.75],
  ];
  for (const [what, kept, removed, s, factor] of cases) {
    it(`${what}: the duplicate is found and folded in without changing the function`, () => {
      const c = withDuplicate(kept, removed, s);
      const merges = duplicateNeurons(c, everyLink(c));
      expect(merges).toHaveLength(1);
      const m = merges[0] as (typeof merges)[0];
      expect(m.kept).toBe(kept);
      expect(m.removed).toBe(removed);
      expect(m.factor).toBeCloseTo(factor, 12);

      const merged = applyNeuronMerges(c, merges);
      expect(merged.links.some((l) => l.to === removed || l.from === removed)).toBe(false);
      expect(merged.links.length).toBe(c.links.length - c.links.filter((l) => l.to === removed || l.from === removed).length);
      // links stay in parameter order
      expect(merged.links).toEqual(
        matrixLinks(circuitToSpec(merged).trainable).map(({ to, toPort, from, fromPort }) => ({ to, toPort, from, fromPort })),
      );
      // each moved weight is the kept neuron's plus factor × the duplicate's
      const w = (cc: Circuit, l: Link) => cc.weights[cc.links.findIndex((x) => linkKey(x) === linkKey(l))] as number;
      for (const l of c.links.filter((x) => x.from === removed)) {
        const onto = { ...l, from: kept };
        expect(w(merged, onto)).toBeCloseTo(w(c, onto) + factor * w(c, l), 12);
      }

      const before = outputsOf(c);
      expect(magnitude(before)).toBeGreaterThan(0.01);
      expectClose(outputsOf(merged), before);
    });
  }

  it('a compare duplicate with a negative ratio is not merged (relu(−x) is not a multiple of relu(x))', () => {
    const c = withDuplicate('compare-1-1', 'compare-1-2', -1.5);
    expect(duplicateNeurons(c, everyLink(c))).toEqual([]);
  });

  it('inputs that are not proportional are no duplicates', () => {
    const c = withDuplicate('norm-1-1', 'norm-1-2', 2);
    const i = c.links.findIndex((l) => l.to === 'norm-1-2');
    const w = Float64Array.from(c.weights);
    w[i] = (w[i] as number) * 1.01;
    const d = { ...c, weights: w };
    expect(duplicateNeurons(d, everyLink(d))).toEqual([]);
  });

  it('is not applied when the moved links would not be allowed', () => {
    const c = withDuplicate('norm-1-1', 'norm-1-2', 2);
    expect(duplicateNeurons(c, new Set())).toEqual([]);
    // allowed = everything except one link the duplicate's output would need to move onto
    const needed = c.links.find((l) => l.from === 'norm-1-2') as Link;
    const allowed = everyLink(c);
    allowed.delete(linkKey({ ...needed, from: 'norm-1-1' }));
    expect(duplicateNeurons(c, allowed)).toEqual([]);
  });

  it('a generated machine with random weights has no duplicates', () => {
    const c = circuitFromSpec(generated(2, 2, 4));
    expect(duplicateNeurons(c, everyLink(c))).toEqual([]);
  });
});
