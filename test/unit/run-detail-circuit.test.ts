/**
 * A snapshot's circuit as Cytoscape elements (src-renderer/runs/detail/circuit.ts) and its
 * layered layout computed headlessly (src-renderer/components/circuit-layout.ts).
 */
import { describe, expect, it } from 'vitest';
import { matrixLinks } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { generateArchitecture, REFERENCE_ARCHITECTURE } from '../../src-shared/problems/duplicates/architecture';
import {
  circuitElements,
  formatWeight,
  stabilizeLayout,
  edgeColor,
  edgeWidth,
  LayoutMemory,
  layoutSkeleton,
  linkId,
  MAX_WIDTH,
  MIN_WIDTH,
  NEGATIVE_COLOR,
  neuronTypeOf,
  POSITIVE_COLOR,
  ZERO_COLOR,
} from '../../src-renderer/components/circuit';
import { layoutPositions } from '../../src-renderer/components/circuit-layout';

const snapshotOf = (links: ReturnType<typeof matrixLinks>) => ({
  links: links.map(({ to, toPort, from, fromPort }) => ({ to, toPort, from, fromPort })),
  weights: links.map((l) => l.weight),
});

describe('neuronTypeOf', () => {
  it('reads the type from generated and base names', () => {
    expect(neuronTypeOf('accum-2-1')).toBe('accum');
    expect(neuronTypeOf('norm-5-2')).toBe('norm');
    expect(neuronTypeOf('compare')).toBe('compare');
    expect(neuronTypeOf('const_1')).toBe('const_1');
    expect(neuronTypeOf('input')).toBe('input');
    expect(neuronTypeOf('dot_3')).toBe('dot');
    expect(neuronTypeOf('mystery')).toBe('unknown');
  });
});

describe('circuitElements', () => {
  it('gives the hand-crafted detector its 8 neurons with soft links, 8 soft edges and the accumulator self-link', () => {
    const { nodes, edges, maxAbs } = circuitElements(snapshotOf(matrixLinks(handcraftedDetector().trainable)));
    expect(nodes.map((n) => n.data.id).sort()).toEqual(['accum', 'compare', 'const_1', 'dot', 'eos', 'input', 'norm', 'output']);
    const soft = edges.filter((e) => e.classes === 'soft');
    const hard = edges.filter((e) => e.classes === 'hard');
    expect(soft).toHaveLength(8);
    expect(hard.map((e) => e.data.label)).toEqual(['accum.dict-1 ← accum.dict (hard link)']);
    expect(maxAbs).toBe(1);
    const e = soft.find((x) => x.data.id === 'input.char->accum.dict-2');
    expect(e?.data).toMatchObject({
      source: 'input',
      target: 'accum',
      weight: 1,
      width: MAX_WIDTH,
      color: POSITIVE_COLOR,
      label: 'accum.dict-2 ← input.char',
    });
    expect(nodes.find((n) => n.data.id === 'accum')?.data).toMatchObject({ type: 'accum', label: 'accum' });
  });

  it('sizes edges by |w| against the largest and colours them by sign', () => {
    const links = [
      { to: 'output', toPort: 'dict-1', from: 'norm-1-1', fromPort: 'norm' },
      { to: 'output', toPort: 'dict-2', from: 'dot-1-1', fromPort: 'dot' },
      { to: 'norm-1-1', toPort: 'dict', from: 'input', fromPort: 'char' },
    ];
    const { nodes, edges } = circuitElements({ links, weights: [-2, 0.5, 0] });
    const soft = edges.filter((e) => e.classes === 'soft');
    expect(soft.map((e) => e.data.color)).toEqual([NEGATIVE_COLOR, POSITIVE_COLOR, ZERO_COLOR]);
    expect(soft.map((e) => e.data.width)).toEqual([MAX_WIDTH, MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * 0.25, MIN_WIDTH]);
    expect(nodes.find((n) => n.data.id === 'norm-1-1')?.data.label).toBe('norm-1-1\nnorm');
    expect(edgeWidth(1, 0)).toBe(MIN_WIDTH);
    expect(edgeColor(-0)).toBe(ZERO_COLOR);
  });

  it('keeps ids stable across snapshots (a link is its four coordinates)', () => {
    const l = { to: 'a', toPort: 'x', from: 'b', fromPort: 'y' };
    const one = circuitElements({ links: [l], weights: [1] }, { hardLinks: false });
    const two = circuitElements({ links: [l], weights: [-3] }, { hardLinks: false });
    expect(one.edges[0]?.data.id).toBe(two.edges[0]?.data.id);
    expect(one.edges[0]?.data.id).toBe(linkId(l));
  });

  it('refuses a snapshot whose weights do not match its links', () => {
    expect(() => circuitElements({ links: [{ to: 'a', toPort: 'x', from: 'b', fromPort: 'y' }], weights: [] })).toThrow(
      /1 links but 0 weights/,
    );
  });
});

describe('layout', () => {
  it('lays the 1486-link machine out left to right in layers, every neuron placed', () => {
    const spec = generateArchitecture(REFERENCE_ARCHITECTURE);
    const els = circuitElements(snapshotOf(matrixLinks(spec.trainable)));
    expect(els.edges.filter((e) => e.classes === 'soft')).toHaveLength(1486);
    const pos = layoutPositions([...els.nodes, ...els.edges]);
    expect(pos.size).toBe(els.nodes.length);
    for (const p of pos.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    const x = (n: string) => pos.get(n)?.x as number;
    expect(x('input')).toBeLessThan(x('accum-1-1'));
    expect(x('accum-1-1')).toBeLessThan(x('accum-3-1'));
    expect(x('accum-5-2')).toBeLessThan(x('output'));
  });

  it('lays out a sparse circuit on all its distinct pairs, a dense one on a skeleton that reaches every neuron', () => {
    const e = (source: string, target: string) => ({ source, target });
    expect(layoutSkeleton([e('a', 'b'), e('a', 'b'), e('b', 'b'), e('b', 'c')])).toEqual([e('a', 'b'), e('b', 'c')]);
    const links = matrixLinks(generateArchitecture(REFERENCE_ARCHITECTURE).trainable).map((l) => e(l.from, l.to));
    const skeleton = layoutSkeleton(links);
    expect(skeleton.length).toBeLessThan(150);
    const touched = new Set(skeleton.flatMap((p) => [p.source, p.target]));
    expect(touched).toEqual(new Set(links.flatMap((p) => [p.source, p.target])));
    // a cycle does not stop it
    const cyclic = [...links, e('output', 'input'), ...Array.from({ length: 200 }, (_, i) => e(`x${i}`, `x${(i + 1) % 200}`))];
    expect(layoutSkeleton(cyclic).length).toBeGreaterThan(0);
  });

  it('remembers positions and says when a circuit is covered', () => {
    const m = new LayoutMemory();
    expect(m.covers(['a'])).toBe(false);
    expect(m.bounds()).toBeUndefined();
    m.replace([
      ['a', { x: 1, y: 2 }],
      ['b', { x: 3, y: 4 }],
    ]);
    expect(m.covers(['a', 'b'])).toBe(true);
    expect(m.covers(['a', 'c'])).toBe(false);
    expect(m.get('b')).toEqual({ x: 3, y: 4 });
    expect(m.bounds()).toEqual({ x1: 1, y1: 2, x2: 3, y2: 4 });
    m.replace([['c', { x: 0, y: 0 }]]);
    expect(m.size).toBe(1);
  });
});

describe('stabilizeLayout (each snapshot laid out on its own, kept steady between neighbours)', () => {
  const map = (o: Record<string, [number, number]>) => new Map(Object.entries(o).map(([k, [x, y]]) => [k, { x, y }]));

  it('without a previous layout, the layout is what it is', () => {
    const next = map({ a: [0, 0], b: [100, 10] });
    expect(stabilizeLayout(next, undefined)).toEqual(next);
  });

  it('neurons of a layer keep their previous top-to-bottom order in the layer’s slots; the whole is shifted onto the common neurons', () => {
    const previous = map({ input: [0, 0], p: [200, 0], q: [200, 100], output: [400, 50] });
    // the new layout put q above p, and sits 1000 px to the right
    const next = map({ input: [1000, 0], q: [1200, 0], p: [1200, 100], output: [1400, 50] });
    const out = stabilizeLayout(next, previous);
    expect(out.get('p')).toEqual({ x: 200, y: 0 });
    expect(out.get('q')).toEqual({ x: 200, y: 100 });
    expect(out.get('input')).toEqual({ x: 0, y: 0 });
    expect(out.get('output')).toEqual({ x: 400, y: 50 });
  });

  it('a new neuron keeps its slot; the known ones around it keep their order', () => {
    const previous = map({ a: [0, 0], b: [0, 100] });
    const next = map({ b: [0, 0], n: [0, 50], a: [0, 100] });
    const out = stabilizeLayout(next, previous);
    expect(out.get('n')!.y).toBeGreaterThan(out.get('a')!.y);
    expect(out.get('b')!.y).toBeGreaterThan(out.get('n')!.y);
    expect(new Set([...out.values()].map((p) => p.y)).size).toBe(3); // no two neurons on one spot
  });
});

describe('formatWeight', () => {
  it('three significant digits, a real minus, exponents for the very small', () => {
    expect(formatWeight(1.23456)).toBe('1.23');
    expect(formatWeight(-0.045678)).toBe('−0.0457');
    expect(formatWeight(0.0000123)).toBe('1.23e-5');
  });
});
