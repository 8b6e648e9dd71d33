// One colour source for every picture of a circuit: the neuron-type and link-sign colours of
// the app's circuit views and editor canvas, the CSS custom properties the renderer writes,
// the editor's SVG export and the diff report's graphs and link table all come from
// src-shared/render/palette.ts. Each picture is built here from real circuits and read back.
import { describe, expect, it } from 'vitest';
import { NEURON_TYPES } from '../../src-shared/machine/neuron-types';
import { matrixLinks } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import {
  LINK_SIGN_COLORS,
  LINK_STATUS_COLORS,
  NEURON_TYPE_COLORS,
  neuronTypeVar,
  paletteCss,
  UNKNOWN_NEURON_COLOR,
} from '../../src-shared/render/palette';
import { circuitElements } from '../../src-renderer/components/circuit';
import { documentToSvg } from '../../src-renderer/editor/svg-export';
import { documentElements } from '../../src-renderer/editor/elements';
import { specFromWeights } from '../../src-renderer/diff/circuit-spec';
import { buildDiffModel, linkDiffAt } from '../../src-renderer/diff/diff-model';
import { STATUS_STYLE } from '../../src-renderer/diff/elements';
import { reportHtml } from '../../src-renderer/diff/export';
import { circuitSvg } from '../../src-renderer/diff/report-graphs';
import { unionPositions, type LayoutFn } from '../../src-renderer/diff/positions';
import { elements, parseXmlStrict } from '../helpers/xml';

const TYPES = [...NEURON_TYPES.keys()];
/** One neuron of every registry type, each linked to the next by alternating signs. */
const doc = {
  neurons: TYPES.map((type, i) => ({ name: type, type, position: { x: 200 * i, y: 0 } })),
  links: TYPES.slice(1).map((type, i) => {
    const from = NEURON_TYPES.get(TYPES[i] as string)!;
    const to = NEURON_TYPES.get(type)!;
    return {
      from: TYPES[i] as string,
      fromPort: from.outputs[0] ?? 'x',
      to: type,
      toPort: to.inputs[0] ?? 'x',
      weight: i % 2 ? -0.5 : 0.5,
      soft: true,
    };
  }),
};

/** Stroke of each node's outline in an SVG of the svg-graph writer, by node id. */
function nodeStrokes(svg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of elements(parseXmlStrict(svg), 'g')) {
    if (g.getAttribute('class') !== 'node') continue;
    const shape = elements(g, 'rect').concat(elements(g, 'ellipse'))[0];
    out.set(g.getAttribute('data-id') ?? '', shape?.getAttribute('stroke') ?? '');
  }
  return out;
}

describe('one palette for every picture of a circuit', () => {
  it('every registry neuron type has its own colour', () => {
    for (const t of TYPES) expect(NEURON_TYPE_COLORS[t], t).toMatch(/^#[0-9a-f]{6}$/);
    expect(new Set(TYPES.map((t) => NEURON_TYPE_COLORS[t])).size).toBe(TYPES.length);
  });

  it('the renderer’s CSS custom properties carry the palette', () => {
    const css = paletteCss();
    for (const t of TYPES) expect(css).toContain(`${neuronTypeVar(t)}:${NEURON_TYPE_COLORS[t]}`);
    expect(css).toContain(`--link-positive:${LINK_SIGN_COLORS.positive}`);
    expect(css).toContain(`--link-negative:${LINK_SIGN_COLORS.negative}`);
  });

  it('the editor canvas and its SVG export colour each neuron type and link sign alike', () => {
    const svgStroke = nodeStrokes(documentToSvg(doc));
    const canvas = documentElements(doc).nodes.filter((e) => e.group === 'nodes' && e.classes?.toString().includes('neuron'));
    for (const t of TYPES) {
      expect(svgStroke.get(t), `SVG export, ${t}`).toBe(NEURON_TYPE_COLORS[t]);
      const node = canvas.find((e) => e.data['name'] === t);
      expect(node?.data['color'], `editor canvas, ${t}`).toBe(NEURON_TYPE_COLORS[t]);
    }
    const edgeColours = elements(parseXmlStrict(documentToSvg(doc)), 'g')
      .filter((g) => g.getAttribute('class') === 'edge')
      .map((g) => elements(g, 'path')[0]?.getAttribute('stroke'));
    expect(new Set(edgeColours)).toEqual(new Set([LINK_SIGN_COLORS.positive, LINK_SIGN_COLORS.negative]));
    expect(
      nodeStrokes(documentToSvg({ neurons: [{ name: 'x', type: 'no-such-type', position: { x: 0, y: 0 } }], links: [] })).get('x'),
    ).toBe(UNKNOWN_NEURON_COLOR);
  });

  it('the run views and the diff report colour the detector’s neurons and links alike', () => {
    const hand = handcraftedDetector();
    const soft = matrixLinks(hand.trainable);
    const els = circuitElements({ links: soft, weights: soft.map((l) => l.weight) });
    const spec = specFromWeights(
      soft,
      soft.map((l) => l.weight),
    );
    const model = buildDiffModel(spec, hand, []);
    const grid: LayoutFn = (e) =>
      new Map(e.filter((x) => x.group === 'nodes').map((x, i) => [String(x.data.id), { x: 100 * i, y: 0 }] as const));
    const strokes = nodeStrokes(circuitSvg(model, 'b', unionPositions(model, grid), 0, 'B'));
    // the report draws the neurons that carry a soft link
    expect([...strokes.keys()].sort()).toEqual([...model.shownB].sort());
    const typeOf = new Map(hand.neurons.map((n) => [n.name, n.type]));
    for (const [name, stroke] of strokes) expect(stroke, `report, ${name}`).toBe(NEURON_TYPE_COLORS[typeOf.get(name) as string]);
    expect(els.nodes.length).toBe(strokes.size);
    for (const e of els.nodes)
      expect(e.data['color'], `run view, ${e.data.id}`).toBe(NEURON_TYPE_COLORS[typeOf.get(String(e.data.id)) as string]);
    for (const e of els.edges.filter((x) => x.classes === 'soft' || String(x.classes).includes('soft'))) {
      const w = Number(e.data['weight']);
      expect(e.data['color']).toBe(w > 0 ? LINK_SIGN_COLORS.positive : w < 0 ? LINK_SIGN_COLORS.negative : LINK_SIGN_COLORS.zero);
    }
    // the report's link table and the app's overlay legend: the same status colours
    const html = reportHtml(
      {
        title: 'detector against itself',
        model,
        diff: linkDiffAt(model, 0),
        positions: unionPositions(model, grid),
        a: { ref: 'snap:1', resolved: 'snap:1', label: 'snapshot', short: 'snapshot', spec },
        b: { ref: 'hand', resolved: 'hand', label: 'hand', short: 'hand', spec: hand },
        threshold: 0,
      },
      new Date(0),
    );
    for (const [status, colour] of Object.entries(LINK_STATUS_COLORS)) {
      expect(html).toContain(`tr.status-${status} td{color:${colour}}`);
      expect(STATUS_STYLE[status as keyof typeof STATUS_STYLE].color).toBe(colour);
    }
  });
});
