// Issue 6, editor core: the architecture document and its lossless conversions to and from
// MachineSpec and the store's ArchitectureGraph record (weights bit for bit).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArchitectureGraphSchema } from '../../src-shared/api/records';
import {
  documentFromGraph,
  documentFromSpec,
  documentsEqual,
  documentToGraph,
  documentToSpec,
  graphLosses,
  positionsOf,
  type EditorDocument,
} from '../../src-shared/editor/document';
import { generateCompareFree, generateHandcrafted, generateLayered, generateRecurrent } from '../../src-shared/editor/generators';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { matrixLinks, type Matrix, type MachineSpec } from '../../src-shared/machine/spec';
import { generateArchitecture, REFERENCE_ARCHITECTURE } from '../../src-shared/problems/duplicates/architecture';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';

const DIR = fileURLToPath(new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url));

/** Same links with bit-identical weights (Object.is: -0 ≠ 0, NaN = NaN). */
function expectSameMatrix(a: Matrix, b: Matrix): void {
  const la = matrixLinks(a);
  const lb = matrixLinks(b);
  expect(la.map(({ weight: _w, ...k }) => k)).toEqual(lb.map(({ weight: _w, ...k }) => k));
  la.forEach((l, i) => {
    if (!Object.is(l.weight, lb[i]!.weight)) throw new Error(`weight differs at ${i}: ${l.weight} vs ${lb[i]!.weight}`);
  });
}

function expectSameSpec(a: MachineSpec, b: MachineSpec): void {
  expect(a.neurons).toEqual(b.neurons);
  expectSameMatrix(a.fixed, b.fixed);
  expectSameMatrix(a.trainable, b.trainable);
}

/** Through JSON and the zod schema, as the store would. */
function viaStore(doc: EditorDocument): EditorDocument {
  const graph = ArchitectureGraphSchema.parse(JSON.parse(JSON.stringify(documentToGraph(doc))));
  return documentFromGraph(graph);
}

const SAMPLES: Array<[string, () => EditorDocument]> = [
  ['hand-crafted', generateHandcrafted],
  ['reference 1486-link', () => generateLayered()],
  ['compare-free', () => generateCompareFree()],
  ['recurrent', () => generateRecurrent()],
];

describe('editor document conversions', () => {
  it.each(SAMPLES)('%s: spec → document → spec is lossless', (_name, make) => {
    const doc = make();
    const spec = documentToSpec(doc);
    expectSameSpec(documentToSpec(documentFromSpec(spec)), spec);
    expect(documentsEqual(documentFromSpec(spec, positionsOf(doc)), doc)).toBe(true);
  });

  it.each(SAMPLES)('%s: document → graph → document is lossless (positions too)', (_name, make) => {
    const doc = make();
    expect(graphLosses(doc)).toEqual({ extraHardLinks: [], missingHardLinks: [], paramNeurons: [] });
    const back = viaStore(doc);
    expect(documentsEqual(back, doc)).toBe(true);
    expectSameSpec(documentToSpec(back), documentToSpec(doc));
  });

  it('the generated reference machine equals generateArchitecture bit for bit', () => {
    expectSameSpec(documentToSpec(generateLayered()), generateArchitecture(REFERENCE_ARCHITECTURE));
    expectSameSpec(documentToSpec(generateHandcrafted()), handcraftedDetector());
  });

  it('odd weights survive both round trips bit for bit', () => {
    const weights = [Number.MIN_VALUE, -Number.MAX_VALUE, 0.1 + 0.2, 1 / 3, -1e-300, 2 ** -1074 * 3, 123456789.12345679];
    const base = generateHandcrafted();
    const doc: EditorDocument = {
      neurons: base.neurons,
      links: base.links.map((l, i) => (l.soft ? { ...l, weight: weights[i % weights.length]! } : l)),
    };
    expect(documentsEqual(viaStore(doc), doc)).toBe(true);
    expect(documentsEqual(documentFromSpec(documentToSpec(doc), positionsOf(doc)), doc)).toBe(true);
    // -0 survives the MachineSpec round trip (JSON cannot carry it)
    const negZero: EditorDocument = { neurons: base.neurons, links: base.links.map((l) => (l.soft ? { ...l, weight: -0 } : l)) };
    expect(documentsEqual(documentFromSpec(documentToSpec(negZero), positionsOf(negZero)), negZero)).toBe(true);
  });

  it('every prototype fixture: spec → document → graph → document → spec is lossless', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const spec = importPrototypeMatrix(readFileSync(DIR + f, 'utf8'), f);
      const doc = documentFromSpec(spec);
      expectSameSpec(documentToSpec(viaStore(doc)), spec);
    }
  });

  it('graphLosses names hard links a record cannot keep, and the ones a load would add', () => {
    const base = generateHandcrafted();
    const extra = { to: 'dot', toPort: 'dict-1', from: 'dot', fromPort: 'dot', weight: 1, soft: false };
    const withExtra: EditorDocument = {
      neurons: base.neurons,
      links: [...base.links.filter((l) => !(l.to === 'accum' && !l.soft)), extra],
    };
    const losses = graphLosses(withExtra);
    expect(losses.extraHardLinks).toEqual([extra]);
    expect(losses.missingHardLinks).toEqual([{ to: 'accum', toPort: 'dict-1', from: 'accum', fromPort: 'dict', weight: 1 }]);
  });

  it('a malformed graph matrix throws and names the path', () => {
    expect(() => documentFromGraph({ neurons: [], matrix: { a: { b: { c: { d: 'x' } } } } })).toThrow(/a/);
  });

  it('a document without positions gets a layered placement; given positions are kept', () => {
    const doc = documentFromSpec(handcraftedDetector(), { accum: { x: 7, y: 9 } });
    const pos = positionsOf(doc);
    expect(pos.accum).toEqual({ x: 7, y: 9 });
    expect(pos.timer!.x).toBe(0);
    expect(pos.output!.x).toBeGreaterThan(pos.dot!.x);
    expect(pos.norm!.x).toBeGreaterThan(pos.input!.x);
    expect(pos.compare!.x).toBeGreaterThan(pos.norm!.x);
  });
});
