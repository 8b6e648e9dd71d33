/** The editor document as Cytoscape elements: labels, width by |w|, colour by sign, soft/hard, self-links, threshold. */
import { describe, expect, it } from 'vitest';
import { generateHandcrafted, generateLayered } from '@shared/editor/generators';
import { documentElements, edgeColour, edgeId, edgeWidth, MAX_EDGE_WIDTH, MIN_EDGE_WIDTH, NEGATIVE, nodeId, POSITIVE, weightLabel } from '../../src-renderer/editor/elements';

describe('documentElements', () => {
  it('one node per neuron labelled type + name at its position, one edge per link', () => {
    const doc = generateHandcrafted();
    const { nodes, edges, hidden } = documentElements(doc);
    expect(nodes.map((n) => n.data.id)).toEqual(doc.neurons.map((n) => nodeId(n.name)));
    const n0 = doc.neurons[0];
    expect(nodes[0]?.data.label).toBe(`${n0?.type}\n${n0?.name}`);
    expect(nodes[0]?.position).toEqual(n0?.position);
    expect(edges.length).toBe(doc.links.length);
    expect(hidden).toBe(0);
    for (const l of doc.links) {
      const e = edges.find((x) => x.data.id === edgeId(l));
      expect(e?.classes).toContain(l.soft ? 'soft' : 'hard');
      if (l.to === l.from) expect(e?.classes).toContain('self');
      expect(e?.data.source).toBe(nodeId(l.from));
      expect(e?.data.target).toBe(nodeId(l.to));
    }
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
    const doc = { neurons: [{ name: 'a', type: 'accum', position: { x: 0, y: 0 } }], links: [{ to: 'a', toPort: 'x', from: 'ghost', fromPort: 'y', weight: 1, soft: true }] };
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
