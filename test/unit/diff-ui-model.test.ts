// The diff screen's logic (src-renderer/diff/*.ts): circuit references, circuits from stored
// snapshots and architectures, the diff model with the person's pins, the union of two
// circuits and its positions, the threshold stops, the aligned heatmap matrices, the
// Cytoscape elements of both views and the report's graphs. Expectations are written from
// the circuits themselves (the hand-crafted detector's eight soft links, its embedding in a
// generated architecture), not from the code under test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareBehaviour } from '../../src-shared/diff/behaviour';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { linksToMatrix, matrixLinks, type MachineSpec } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { HANDCRAFTED_EMBEDDING } from '../../src-shared/synthesis/start';
import { describeCircuitRef, parseCircuitRef } from '../../src-renderer/diff/circuit-ref';
import { specFromArchitecture, specFromWeights } from '../../src-renderer/diff/circuit-spec';
import { buildDiffModel, linkDiffAt, pinProblem, repair, unionNeurons, type Pair } from '../../src-renderer/diff/diff-model';
import { overlayElements, paneElements } from '../../src-renderer/diff/elements';
import { alignedMatrices, cellColor, rgbOf } from '../../src-renderer/diff/heatmap';
import { LINK_SIGN_COLORS } from '../../src-shared/render/palette';
import { unionPositions, type LayoutFn } from '../../src-renderer/diff/positions';
import { circuitSvg, overlaySvg } from '../../src-renderer/diff/report-graphs';
import { reportFileName, reportHtml } from '../../src-renderer/diff/export';
import { thresholdSteps } from '../../src-renderer/diff/threshold';
import { layoutPositions } from '../../src-renderer/components/circuit-layout';

const DIR = new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url);
const load = (file: string): MachineSpec => importPrototypeMatrix(readFileSync(new URL(file, DIR), 'utf8'), file);

const hand = handcraftedDetector();
const HAND_SOFT = matrixLinks(hand.trainable);
/** The detector's soft links under the generated architecture's names (accum → accum-1-1 …), as a snapshot stores them. */
const embeddedLinks = HAND_SOFT.map((l) => ({
  to: HANDCRAFTED_EMBEDDING[l.to] ?? l.to,
  toPort: l.toPort,
  from: HANDCRAFTED_EMBEDDING[l.from] ?? l.from,
  fromPort: l.fromPort,
}));
const embedded = specFromWeights(
  embeddedLinks,
  HAND_SOFT.map((l) => l.weight),
);

/** A grid layout (no cytoscape): node i at (100·i, 0). */
const gridLayout: LayoutFn = (elements) =>
  new Map(elements.filter((e) => e.group === 'nodes').map((e, i) => [String(e.data.id), { x: 100 * i, y: 0 }] as const));

describe('circuit references', () => {
  it('parses the four kinds and names what is wrong otherwise', () => {
    expect(parseCircuitRef('snap:12')).toEqual({ kind: 'snap', id: 12 });
    expect(parseCircuitRef('run:3')).toEqual({ kind: 'run', id: 3 });
    expect(parseCircuitRef('arch:7')).toEqual({ kind: 'arch', id: 7 });
    expect(parseCircuitRef('hand')).toEqual({ kind: 'hand' });
    for (const bad of ['snap:', 'snap:0', 'snap:-1', 'run:1.5', 'file:3', 'HAND', 'arch:1x']) {
      const p = parseCircuitRef(bad);
      expect('error' in p && p.error).toContain(`"${bad}" is not a circuit`);
    }
    expect(describeCircuitRef('run:4')).toBe('run 4 (last snapshot)');
    expect(describeCircuitRef('hand')).toBe('the hand-crafted detector');
  });
});

describe('circuits from stored data', () => {
  it('a snapshot of the embedded detector is the detector under other names: types, hard links, same behaviour', () => {
    const types = Object.fromEntries(embedded.neurons.map((n) => [n.name, n.type]));
    expect(types).toEqual({
      timer: 'timer',
      input: 'input',
      const_1: 'const_1',
      eos: 'eos',
      output: 'output',
      'accum-1-1': 'accum',
      'norm-2-1': 'norm',
      'compare-3-1': 'compare',
      'dot-2-1': 'dot',
    });
    // the registry's hard links: the timer's self-link, input.timer ← timer, the accumulator's memory
    expect(matrixLinks(embedded.fixed).map((l) => `${l.to}.${l.toPort}←${l.from}.${l.fromPort}`)).toEqual(
      expect.arrayContaining(['timer.timer←timer.timer', 'input.timer←timer.timer', 'accum-1-1.dict-1←accum-1-1.dict']),
    );
    expect(matrixLinks(embedded.trainable)).toHaveLength(8);
    // it computes exactly what the detector computes
    for (const r of compareBehaviour(embedded, hand, [
      { text: 'a.b.c.d.e.', cycles: 110 },
      { text: 'aaaa.', cycles: 60 },
    ])) {
      expect(r.errorA.maxAbs).toBe(0);
      expect(r.errorB.maxAbs).toBe(0);
    }
  });

  it('refuses a neuron whose type its name does not give, and mismatched weights', () => {
    expect(() => specFromWeights([{ to: 'output', toPort: 'dict-1', from: 'mystery', fromPort: 'x' }], [1])).toThrow('neuron "mystery"');
    expect(() => specFromWeights(embeddedLinks, [1, 2])).toThrow('8 links but 2 weights');
  });

  it('an architecture keeps only the neurons that carry a soft link (and the driving ones)', () => {
    const graph = {
      neurons: [...hand.neurons.map((n) => ({ name: n.name, type: n.type })), { name: 'spare', type: 'norm' }],
      matrix: hand.trainable as Record<string, unknown>,
      positions: {},
    };
    const spec = specFromArchitecture(graph);
    expect(spec.neurons.map((n) => n.name).sort()).toEqual(hand.neurons.map((n) => n.name).sort());
    expect(matrixLinks(spec.trainable)).toEqual(HAND_SOFT);
  });
});

describe('the diff model', () => {
  it('the embedded detector against the detector: every neuron paired with its namesake role, every link the same', () => {
    const model = buildDiffModel(embedded, hand, []);
    const pairs = Object.fromEntries(model.alignment.pairs.map((p) => [p.a, p.b]));
    expect(pairs).toEqual({
      timer: 'timer',
      input: 'input',
      const_1: 'const_1',
      eos: 'eos',
      output: 'output',
      'accum-1-1': 'accum',
      'norm-2-1': 'norm',
      'compare-3-1': 'compare',
      'dot-2-1': 'dot',
    });
    const diff = linkDiffAt(model, 0);
    expect(diff.summary.counts).toMatchObject({
      matched: diff.rows.length,
      'weight-changed': 0,
      'sign-flipped': 0,
      'only-a': 0,
      'only-b': 0,
    });
    expect(diff.summary.soft).toEqual({ a: 8, b: 8 });
    expect(diff.summary.jaccard).toBe(1);
    expect(diff.summary.sumAbsDelta).toBe(0);
    // the neurons drawn: those on a soft link (the timer has only hard links)
    expect(model.shownB).toEqual(['accum', 'compare', 'const_1', 'dot', 'eos', 'input', 'norm', 'output']);
    const union = unionNeurons(model);
    expect(union).toHaveLength(8);
    expect(union.every((n) => n.side === 'both')).toBe(true);
    expect(union.find((n) => n.a === 'accum-1-1')).toMatchObject({ b: 'accum', label: 'accum-1-1 ⇄ accum', type: 'accum' });
  });

  it('re-pairing: a pin replaces every pin of either neuron; unusable pins are left out with the reason', () => {
    expect(
      repair(
        [
          ['x', 'y'],
          ['p', 'q'],
        ],
        'x',
        'q',
      ),
    ).toEqual([['x', 'q']]);
    expect(repair([['x', 'y']], 'z', 'w')).toEqual([
      ['x', 'y'],
      ['z', 'w'],
    ]);
    const m = buildDiffModel(embedded, hand, [
      ['norm-2-1', 'dot'],
      ['ghost', 'accum'],
      ['accum-1-1', 'nobody'],
    ]);
    expect(m.pinned).toEqual([]);
    expect(m.ignored.map((i) => i.reason)).toEqual([
      '"norm-2-1" is a norm and "dot" a dot: only neurons of one type pair',
      'circuit A has no neuron "ghost"',
      'circuit B has no neuron "nobody"',
    ]);
    expect(pinProblem(['accum-1-1', 'accum'], m.typesA, m.typesB)).toBeUndefined();
  });

  it('a pin overrides the alignment and changes the link diff: sparse20 with the relay compare-4-2 as the compare', () => {
    const sparse20 = load('sparse20-after-200-steps-matrix.json');
    const reader = buildDiffModel(sparse20, hand, []);
    expect(reader.aToB.get('compare-3-1')).toBe('compare');
    const before = linkDiffAt(reader, 0);
    const pins: Pair[] = repair([], 'compare-4-2', 'compare');
    const pinned = buildDiffModel(sparse20, hand, pins);
    expect(pinned.alignment.pairs.find((p) => p.a === 'compare-4-2')).toMatchObject({ b: 'compare', via: 'pinned' });
    expect(pinned.bToA.get('compare')).toBe('compare-4-2');
    expect(pinned.aToB.has('compare-3-1')).toBe(false);
    const after = linkDiffAt(pinned, 0);
    // sparse20 feeds both compare-3-1 and compare-4-2 from norm-2-1.norm (as the detector feeds compare.dict-1 from norm.norm):
    // that link is compared with compare-3-1's before the pin, with compare-4-2's after it
    const into = (d: typeof before, to: string) =>
      d.rows
        .filter((r) => r.kind === 'soft' && r.a?.to === to && r.b !== undefined)
        .map((r) => `${r.b!.to}.${r.b!.toPort} ← ${r.b!.from}.${r.b!.fromPort}`);
    expect(into(before, 'compare-3-1')).toContain('compare.dict-1 ← norm.norm');
    expect(into(before, 'compare-4-2')).toEqual([]);
    expect(into(after, 'compare-4-2')).toContain('compare.dict-1 ← norm.norm');
    expect(into(after, 'compare-3-1')).toEqual([]);
    expect(after.summary.soft).toEqual(before.summary.soft);
  });

  it('threshold stops: 0, then each distinct |w| but the largest; the diff at a stop leaves out |w| at or below it', () => {
    const a: MachineSpec = {
      ...hand,
      trainable: linksToMatrix(HAND_SOFT.map((l, i) => ({ ...l, weight: [0.5, -1, 1, 2, 0.25, 0.25, 1, 3][i]! }))),
    };
    const model = buildDiffModel(a, hand, []);
    expect(thresholdSteps(model)).toEqual([0, 0.25, 0.5, 1, 2]);
    const d = linkDiffAt(model, 1);
    // A keeps 2 and 3, B (all weights 1) keeps nothing
    expect(d.summary.soft).toEqual({ a: 2, b: 0 });
    expect(thresholdSteps(model, 3)).toHaveLength(3);
  });
});

describe('views', () => {
  const sparse20 = load('sparse20-after-200-steps-matrix.json');
  const model = buildDiffModel(sparse20, hand, []);
  const diff = linkDiffAt(model, 0);
  const positions = unionPositions(model, layoutPositions);

  it('side-by-side panes: a matched pair at the same place in both; counterparts both ways; A’s unmatched neurons as ghosts in B', () => {
    const a = paneElements(model, 'a', positions, diff, 0);
    const b = paneElements(model, 'b', positions, diff, 0);
    const node = (els: typeof a, id: string) => els.find((e) => e.group === 'nodes' && e.data.id === id)!;
    for (const p of model.alignment.pairs) {
      if (!model.shownA.includes(p.a) || !model.shownB.includes(p.b)) continue;
      expect(node(a, p.a).position).toEqual(node(b, p.b).position);
      expect(node(a, p.a).data.counterpart).toBe(p.b);
      expect(node(b, p.b).data.counterpart).toBe(p.a);
    }
    const ghosts = b.filter((e) => String(e.classes).includes('ghost')).map((e) => e.data.counterpart);
    expect(ghosts.sort()).toEqual(['compare-1-2', 'compare-4-2', 'compare-5-1']);
    // every soft link of A with a partner in B points at it, and back
    const edge = (els: typeof a, id: string) => els.find((e) => e.group === 'edges' && e.data.id === id);
    const softA = a.filter((e) => e.group === 'edges' && String(e.classes).startsWith('soft'));
    expect(softA).toHaveLength(matrixLinks(sparse20.trainable).length);
    for (const e of softA) {
      if (!e.data.counterpart) continue;
      expect(edge(b, String(e.data.counterpart))?.data.counterpart).toBe(e.data.id);
    }
    // the threshold hides links on both sides
    const big = thresholdSteps(model).at(-1)!;
    expect(
      paneElements(model, 'a', positions, linkDiffAt(model, big), big).filter(
        (e) => e.group === 'edges' && String(e.classes).startsWith('soft'),
      ).length,
    ).toBeLessThan(softA.length);
  });

  it('overlay: one node per union neuron, one edge per classified link, faded outside the spotlight', () => {
    const all = overlayElements(model, positions, diff, 'both');
    expect(all.filter((e) => e.group === 'nodes')).toHaveLength(unionNeurons(model).length);
    const soft = all.filter((e) => e.group === 'edges' && String(e.classes).startsWith('soft'));
    expect(soft).toHaveLength(diff.rows.filter((r) => r.kind === 'soft').length);
    expect(all.some((e) => String(e.classes).includes('faded'))).toBe(false);
    const onlyA = overlayElements(model, positions, diff, 'a');
    const faded = onlyA.filter((e) => String(e.classes).includes('faded'));
    expect(faded.length).toBe(diff.summary.counts['only-b'] + unionNeurons(model).filter((n) => n.side === 'only-b').length);
    const changed = all.find((e) => e.data.status === 'weight-changed');
    if (changed) expect(String(changed.data.dwLabel)).toMatch(/^Δw [+-]/);
  });

  it('positions: kept after a re-pairing; a B neuron that loses its partner is put beside its neighbours', () => {
    const first = unionPositions(model, gridLayout);
    expect(first.size).toBe(unionNeurons(model).length);
    const pinned = buildDiffModel(sparse20, hand, [['compare-4-2', 'compare']]);
    const again = unionPositions(
      pinned,
      () => {
        throw new Error('no full layout expected');
      },
      first,
    );
    for (const [id, p] of first) if (again.has(id)) expect(again.get(id)).toEqual(p);
    expect(again.size).toBe(unionNeurons(pinned).length);
  });

  it('aligned heatmap: the detector against its embedding is the same matrix, rows and columns from its eight links', () => {
    const m = alignedMatrices(buildDiffModel(embedded, hand, []));
    // receiving ports of the eight links: accum.dict-2, norm.dict, compare.dict-1/2, dot.dict-1/2, output.dict-1/2
    expect(m.rows).toHaveLength(8);
    // sending ports: input.char, eos.char, const_1, accum.dict, norm.norm, compare.true, dot.dot
    expect(m.cols).toHaveLength(7);
    const cells = (x: Float64Array) => [...x].map((v, i) => (Number.isNaN(v) ? -1 : i)).filter((i) => i >= 0);
    expect(cells(m.a)).toHaveLength(8);
    expect(cells(m.a)).toEqual(cells(m.b));
    expect(m.maxAbs).toBe(1);
    const white = { noLink: 'lightgrey', base: [255, 255, 255] as const };
    expect(cellColor(NaN, 1, white)).toBe('lightgrey');
    expect(cellColor(0, 1, white)).toBe('rgb(255,255,255)');
    // the strongest weight takes the link-sign colour itself; a weaker one fades into the ground
    expect(rgbOf(cellColor(1, 1, white))).toEqual(rgbOf(LINK_SIGN_COLORS.positive));
    expect(rgbOf(cellColor(-1, 1, white))).toEqual(rgbOf(LINK_SIGN_COLORS.negative));
    const dark = { noLink: 'black', base: [16, 20, 28] as const };
    const [r, g, b] = rgbOf(cellColor(0.25, 1, dark));
    const [pr, pg, pb] = rgbOf(LINK_SIGN_COLORS.positive);
    // √0.25 = halfway between the ground and the colour
    expect([r, g, b]).toEqual([Math.round((16 + pr) / 2), Math.round((20 + pg) / 2), Math.round((28 + pb) / 2)]);
  });

  it('report: both graphs name every drawn neuron; the HTML is self-contained and holds the link table', () => {
    const svgA = circuitSvg(model, 'a', positions, 0, 'A');
    for (const n of model.shownA) expect(svgA).toContain(`>${n}<`);
    expect(overlaySvg(model, positions, diff, 'overlay')).toContain('<svg');
    const html = reportHtml(
      {
        title: 'sparse20 <vs> hand',
        model,
        diff,
        positions,
        a: { ref: 'snap:1', resolved: 'snap:1', label: 'sparse20', short: 'sparse20', spec: sparse20 },
        b: { ref: 'hand', resolved: 'hand', label: 'hand', short: 'hand', spec: hand },
        threshold: 0,
      },
      new Date(0),
    );
    expect(html).toContain('sparse20 &lt;vs&gt; hand');
    expect(html).not.toMatch(/<script|(?:src|href)\s*=|url\(/i);
    expect(html).toContain('compare-3-1');
    expect(reportFileName('sparse20 <vs> hand!')).toBe('sparse20-vs-hand.html');
  });
});

describe('speed', () => {
  it('two circuits of about 300 links: model, link diff and both panes (times printed; npm run bench:ui measures them)', () => {
    const dense = load('2500-steps-matrix.json');
    const top = matrixLinks(dense.trainable)
      .sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight))
      .slice(0, 300);
    const a: MachineSpec = { ...dense, trainable: linksToMatrix(top) };
    const b: MachineSpec = {
      ...dense,
      trainable: linksToMatrix(top.filter((_, i) => i % 7 !== 0).map((l, i) => ({ ...l, weight: l.weight * (1 + ((i % 5) - 2) * 0.05) }))),
    };
    const t0 = performance.now();
    const model = buildDiffModel(a, b, []);
    const t1 = performance.now();
    const diff = linkDiffAt(model, 0);
    const positions = unionPositions(model, layoutPositions);
    const els = [
      ...paneElements(model, 'a', positions, diff, 0),
      ...paneElements(model, 'b', positions, diff, 0),
      ...overlayElements(model, positions, diff, 'both'),
    ];
    const t2 = performance.now();
    console.log(
      `diff model (structural alignment) of ${matrixLinks(a.trainable).length}/${matrixLinks(b.trainable).length} links: ${(t1 - t0).toFixed(0)} ms; ` +
        `link diff + layout + elements: ${(t2 - t1).toFixed(0)} ms (${els.length} elements)`,
    );
    expect(diff.summary.soft).toEqual({ a: 300, b: matrixLinks(b.trainable).length });
  });
});

describe('routes', () => {
  it('#/diff carries two circuits (b defaults to the hand-crafted detector) or a saved comparison, both ways', async () => {
    const { hrefFor, parseRoute } = await import('../../src-renderer/lib/router.svelte');
    expect(parseRoute('#/diff?a=snap:12&b=run:3')).toEqual({ name: 'diff', a: 'snap:12', b: 'run:3' });
    expect(parseRoute('#/diff?a=run:4')).toEqual({ name: 'diff', a: 'run:4', b: 'hand' });
    expect(parseRoute('#/diff?id=9')).toEqual({ name: 'diff', id: 9 });
    expect(parseRoute('#/diff')).toEqual({ name: 'diff', b: 'hand' });
    expect(hrefFor({ name: 'diff', a: 'snap:12', b: 'hand' })).toBe('#/diff?a=snap:12&b=hand');
    expect(hrefFor({ name: 'diff', id: 9 })).toBe('#/diff?id=9');
    for (const r of [
      { name: 'diff', a: 'arch:2', b: 'run:5' },
      { name: 'diff', id: 3 },
    ] as const)
      expect(parseRoute(hrefFor(r))).toEqual(r);
  });
});
