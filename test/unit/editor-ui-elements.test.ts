/** The editor document as Cytoscape elements: labels, width by |w|, colour by sign, soft/hard, self-links, threshold. */
import { describe, expect, it } from 'vitest';
import { generateHandcrafted, generateLayered } from '@shared/editor/generators';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import {
  documentElements,
  edgeColour,
  edgeId,
  edgeWidth,
  MAX_EDGE_WIDTH,
  MIN_EDGE_WIDTH,
  NEGATIVE,
  nodeId,
  portId,
  POSITIVE,
  weightLabel,
} from '../../src-renderer/editor/elements';

describe('documentElements', () => {
  it('one node per neuron labelled type + name at its position, its registry ports as children, one edge per link from port to port', () => {
    const doc = generateHandcrafted();
    const { nodes, edges, hidden } = documentElements(doc);
    const neurons = nodes.filter((n) => String(n.classes).includes('neuron'));
    expect(neurons.map((n) => n.data.id)).toEqual(doc.neurons.map((n) => nodeId(n.name)));
    const n0 = doc.neurons[0];
    expect(neurons[0]?.data.label).toBe(n0?.name); // the detector's neurons are named after their types
    const layered = documentElements(generateLayered()).nodes.find((n) => n.data.id === nodeId('accum-1-1'));
    expect(layered?.data.label).toBe('accum\naccum-1-1');
    expect(neurons[0]?.position).toEqual(n0?.position);
    // ports: every registry port of every neuron, inputs left of the centre and outputs right of it
    for (const n of doc.neurons) {
      const t = NEURON_TYPES.get(n.type)!;
      const kids = nodes.filter((k) => k.data.parent === nodeId(n.name));
      expect(kids.filter((k) => k.data.dir === 'in').map((k) => k.data.port)).toEqual([...t.inputs]);
      expect(kids.filter((k) => k.data.dir === 'out').map((k) => k.data.port)).toEqual([...t.outputs]);
      for (const k of kids) {
        expect(k.grabbable).toBe(false);
        expect(Math.sign(k.position!.x - n.position.x)).toBe(k.data.dir === 'in' ? -1 : 1);
      }
    }
    expect(nodes.length).toBe(
      doc.neurons.length +
        doc.neurons.reduce((a, n) => a + NEURON_TYPES.get(n.type)!.inputs.length + NEURON_TYPES.get(n.type)!.outputs.length, 0),
    );
    expect(edges.length).toBe(doc.links.length);
    expect(hidden).toBe(0);
    for (const l of doc.links) {
      const e = edges.find((x) => x.data.id === edgeId(l));
      expect(e?.classes).toContain(l.soft ? 'soft' : 'hard');
      if (l.to === l.from) expect(e?.classes).toContain('self');
      expect(e?.data.source).toBe(portId(l.from, 'out', l.fromPort));
      expect(e?.data.target).toBe(portId(l.to, 'in', l.toPort));
    }
  });

  it('a link end at a port its neuron does not have is drawn to the neuron', () => {
    const doc = {
      neurons: [
        { name: 'a', type: 'accum', position: { x: 0, y: 0 } },
        { name: 'b', type: 'norm', position: { x: 200, y: 0 } },
      ],
      links: [{ to: 'b', toPort: 'nope', from: 'a', fromPort: 'dict', weight: 1, soft: true }],
    };
    const [e] = documentElements(doc).edges;
    expect(e?.data.source).toBe(portId('a', 'out', 'dict'));
    expect(e?.data.target).toBe(nodeId('b'));
  });

  it('the threshold hides small links (and counts them)', () => {
    const doc = generateLayered();
    const all = documentElements(doc).edges.length;
    const { edges, hidden } = documentElements(doc, 0.01);
    expect(hidden).toBe(doc.links.filter((l) => Math.abs(l.weight) < 0.01).length);
    expect(edges.length + hidden).toBe(all);
    expect(hidden).toBeGreaterThan(0);
  });

  it('skips links whose ends do not exist', () => {
    const doc = {
      neurons: [{ name: 'a', type: 'accum', position: { x: 0, y: 0 } }],
      links: [{ to: 'a', toPort: 'x', from: 'ghost', fromPort: 'y', weight: 1, soft: true }],
    };
    expect(documentElements(doc).edges).toEqual([]);
  });
});

describe('edge styling', () => {
  it('colour by sign, width by |w|', () => {
    expect(edgeColour(0.3)).toBe(POSITIVE);
    expect(edgeColour(-0.3)).toBe(NEGATIVE);
    expect(edgeColour(Number.NaN)).not.toBe(POSITIVE);
    expect(edgeWidth(2, 2)).toBe(MAX_EDGE_WIDTH);
    expect(edgeWidth(0, 2)).toBe(MIN_EDGE_WIDTH);
    expect(edgeWidth(-1, 2)).toBeCloseTo((MIN_EDGE_WIDTH + MAX_EDGE_WIDTH) / 2);
  });
  it('weight labels', () => {
    expect(weightLabel(1)).toBe('1');
    expect(weightLabel(-0.123456)).toBe('-0.123');
    expect(weightLabel(1e-6)).toBe('1.00e-6');
    expect(weightLabel(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});
