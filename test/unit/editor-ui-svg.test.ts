/**
 * The editor's SVG export from node positions: well-formed XML, one box per neuron with its
 * registry ports, one edge per visible link with its weight label, hard links dashed,
 * links below ε left out.
 */
import { describe, expect, it } from 'vitest';
import { generateHandcrafted, generateLayered } from '@shared/editor/generators';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import { documentToSvg } from '../../src-renderer/editor/svg-export';
import { elements, parseXmlStrict, xmlProblems } from '../helpers/xml';

const cls = (e: Element) => e.getAttribute('class') ?? '';

describe('documentToSvg', () => {
  it('draws the hand-crafted detector: 9 boxes with their ports, 11 edges, 3 dashed hard links', () => {
    const doc = generateHandcrafted();
    const svg = documentToSvg(doc, { title: 'detector' });
    expect(xmlProblems(svg)).toEqual([]);
    const root = parseXmlStrict(svg);
    const groups = elements(root, 'g');
    const nodes = groups.filter((g) => cls(g) === 'node');
    expect(nodes.map((g) => g.getAttribute('data-id')).sort()).toEqual(doc.neurons.map((n) => n.name).sort());
    for (const g of nodes) {
      const type = doc.neurons.find((n) => n.name === g.getAttribute('data-id'))!.type;
      const t = NEURON_TYPES.get(type)!;
      const ports = elements(g, 'g').filter((p) => cls(p).startsWith('port'));
      expect(ports.map((p) => p.getAttribute('data-port')).sort()).toEqual([...t.inputs, ...t.outputs].sort());
    }
    const edges = groups.filter((g) => cls(g) === 'edge');
    expect(edges.length).toBe(11);
    const dashed = edges.filter((e) => elements(e, 'path').some((p) => p.getAttribute('stroke-dasharray')));
    expect(dashed.length).toBe(3);
    expect(svg).toContain('detector');
  });

  it('follows the positions it is given and leaves out links below ε', () => {
    const doc = generateLayered();
    const small = doc.links.filter((l) => Number.isFinite(l.weight) && Math.abs(l.weight) < 0.01).length;
    expect(small).toBeGreaterThan(0);
    const root = parseXmlStrict(documentToSvg(doc, { epsilon: 0.01 }));
    expect(elements(root, 'g').filter((g) => cls(g) === 'edge').length).toBe(doc.links.length - small);
    const moved = { ...doc, neurons: doc.neurons.map((n) => (n.name === 'output' ? { ...n, position: { x: 10_000, y: 5_000 } } : n)) };
    const viewBox = (s: string) => parseXmlStrict(s).documentElement.getAttribute('viewBox')!.split(' ').map(Number);
    const [, , w1] = viewBox(documentToSvg(doc));
    const [, , w2] = viewBox(documentToSvg(moved));
    expect(w2!).toBeGreaterThan(w1! + 5_000);
  });

  it('draws a document with validation errors (unknown port, repeated name) instead of failing', () => {
    const doc = {
      neurons: [
        { name: 'a', type: 'accum', position: { x: 0, y: 0 } },
        { name: 'a', type: 'norm', position: { x: 50, y: 0 } },
        { name: 'b', type: 'mystery', position: { x: 200, y: 0 } },
      ],
      links: [{ to: 'b', toPort: 'x', from: 'a', fromPort: 'nope', weight: -2, soft: true }],
    };
    const svg = documentToSvg(doc);
    expect(xmlProblems(svg)).toEqual([]);
    expect(elements(parseXmlStrict(svg), 'g').filter((g) => cls(g) === 'node').length).toBe(2);
  });
});
