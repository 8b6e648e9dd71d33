// The generic graph → SVG writer (src-shared/render/svg-graph.ts): output parsed by real XML
// parsers (test/helpers/xml.ts), hostile names, self-loops, ports, the bounding box.
import { describe, expect, it } from 'vitest';
import { checkColor, escapeXml, graphToSvg, type SvgEdge, type SvgNode } from '../../src-shared/render/svg-graph';
import { elements, parseXmlStrict, xmlProblems } from '../helpers/xml';

const box = (id: string, x: number, y: number, extra: Partial<SvgNode> = {}): SvgNode => ({
  id,
  x,
  y,
  width: 80,
  height: 40,
  label: id,
  ...extra,
});

function viewBox(svg: Element): [number, number, number, number] {
  const v = svg.getAttribute('viewBox')!.split(' ').map(Number);
  expect(v).toHaveLength(4);
  return v as [number, number, number, number];
}

/** All numbers in a path's d attribute as points. */
function pathPoints(d: string): Array<[number, number]> {
  const nums = d.match(/-?\d+(\.\d+)?/g)!.map(Number);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < nums.length; i += 2) out.push([nums[i]!, nums[i + 1]!]);
  return out;
}

describe('xml check (the test helper itself)', () => {
  it('rejects malformed markup that either parser alone would let through', () => {
    expect(xmlProblems('<svg><text>a &amp; b</text></svg>')).toEqual([]);
    for (const bad of [
      '<svg><text>a & b</text></svg>',
      '<svg><text>a < b</text></svg>',
      '<svg><g></svg>',
      '<svg a="1" a="2"/>',
      '<svg a="x<y"/>',
      '<svg>\u0001</svg>',
      '<svg/><svg/>',
    ])
      expect(xmlProblems(bad), bad).not.toEqual([]);
  });
});

describe('graphToSvg', () => {
  it('writes a well-formed standalone SVG document with one group per node and edge', () => {
    const svg = graphToSvg({
      nodes: [box('a', 0, 0), box('b', 200, 0, { shape: 'ellipse', sublabel: 'compare' }), box('c', 100, 120, { shape: 'rectangle' })],
      edges: [
        { source: 'a', target: 'b', label: '0.5' },
        { source: 'b', target: 'c', dashed: true, color: '#c53030', width: 3 },
      ],
      title: 'two links',
    });
    const doc = parseXmlStrict(svg);
    const root = doc.documentElement;
    expect(root.tagName).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(
      elements(doc, 'g')
        .filter((g) => g.getAttribute('class') === 'node')
        .map((g) => g.getAttribute('data-id')),
    ).toEqual(['a', 'b', 'c']);
    const edges = elements(doc, 'g').filter((g) => g.getAttribute('class') === 'edge');
    expect(edges).toHaveLength(2);
    // each edge has a path and an arrowhead polygon in its colour
    const second = edges[1]!;
    expect(elements(second, 'path')[0]!.getAttribute('stroke')).toBe('#c53030');
    expect(elements(second, 'path')[0]!.getAttribute('stroke-dasharray')).toBe('6 4');
    expect(elements(second, 'path')[0]!.getAttribute('stroke-width')).toBe('3');
    expect(elements(second, 'polygon')[0]!.getAttribute('fill')).toBe('#c53030');
    expect(elements(doc, 'ellipse')).toHaveLength(1);
    expect(elements(doc, 'rect')).toHaveLength(2);
    expect(elements(doc, 'rect')[0]!.hasAttribute('rx')).toBe(true); // round-rectangle by default
    expect(elements(doc, 'rect')[1]!.hasAttribute('rx')).toBe(false);
    const texts = elements(doc, 'text').map((t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining(['two links', 'a', 'b', 'compare', 'c', '0.5']));
    expect(elements(doc, 'title')[0]!.textContent).toBe('two links');
    // a straight edge between a and b ends at their outlines: x from 40 (right of a) to 160 − arrow (left of b)
    const d = pathPoints(elements(edges[0]!, 'path')[0]!.getAttribute('d')!);
    expect(d[0]).toEqual([40, 0]);
    expect(d[d.length - 1]![0]).toBeCloseTo(160 - 8, 6); // the line stops where the arrowhead begins
  });

  it('escapes hostile names and labels, keeping their text intact', () => {
    const hostile = `</text><script>alert("x")</script>&amp; 'q' <![CDATA[ ]]> \u0001end`;
    const svg = graphToSvg({
      nodes: [box(hostile, 0, 0, { label: hostile, sublabel: '<b>' }), box('"><g', 200, 0, { label: '&&&' })],
      edges: [{ source: hostile, target: '"><g', label: '<i>' }],
      title: '<title>',
    });
    const doc = parseXmlStrict(svg);
    expect(elements(doc, 'script')).toEqual([]);
    expect(elements(doc, 'b')).toEqual([]);
    expect(elements(doc, 'i')).toEqual([]);
    const withoutControl = hostile.replace('\u0001', '');
    const texts = elements(doc, 'text').map((t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining([withoutControl, '<b>', '&&&', '<i>', '<title>']));
    const ids = elements(doc, 'g')
      .filter((g) => g.getAttribute('class') === 'node')
      .map((g) => g.getAttribute('data-id'));
    expect(ids).toEqual([withoutControl, '"><g']);
    expect(escapeXml('a\ud800b\udc00c\ud83d\ude00')).toBe('abc\ud83d\ude00'); // lone surrogates dropped, pairs kept
  });

  it('draws a self-loop as a loop above the node, ending where it starts from', () => {
    const svg = graphToSvg({ nodes: [box('acc', 100, 100)], edges: [{ source: 'acc', target: 'acc', label: 'self' }] });
    const doc = parseXmlStrict(svg);
    const pts = pathPoints(elements(doc, 'path')[0]!.getAttribute('d')!);
    const top = 100 - 20;
    const start = pts[0]!;
    // the curve ends where the arrowhead begins; the arrow's tip is where the loop returns
    const end = elements(doc, 'polygon')[0]!.getAttribute('points')!.split(' ')[0]!.split(',').map(Number) as [number, number];
    const last = pts[pts.length - 1]!;
    expect(Math.hypot(last[0] - end[0], last[1] - end[1])).toBeCloseTo(8, 1);
    // both ends on the node's top edge, on opposite sides of the centre
    expect(start[1]).toBeCloseTo(top, 6);
    expect(end[1]).toBeCloseTo(top, 6);
    expect(start[0]).toBeGreaterThan(100);
    expect(end[0]).toBeLessThan(100);
    // the loop rises above the node
    expect(Math.min(...pts.map((p) => p[1]))).toBeLessThan(top - 20);
    // the loop's label is inside the viewBox
    const [vx, vy] = viewBox(doc.documentElement);
    expect(vy).toBeLessThan(Math.min(...pts.map((p) => p[1])));
    expect(vx).toBeLessThan(Math.min(...pts.map((p) => p[0])));
  });

  it('draws ports as labelled circles: inputs on the left edge, outputs on the right; edges end at them', () => {
    const nodes: SvgNode[] = [
      box('cmp', 0, 0, { height: 60, ports: { in: ['left', 'right'], out: ['true', 'false'] } }),
      box('out', 200, 0, { ports: { in: ['dict-1'], out: [] } }),
    ];
    const edges: SvgEdge[] = [
      { source: 'cmp', target: 'out', sourcePort: 'false', targetPort: 'dict-1' },
      { source: 'cmp', target: 'cmp', sourcePort: 'true', targetPort: 'right' },
    ];
    const doc = parseXmlStrict(graphToSvg({ nodes, edges }));
    const circles = elements(doc, 'circle').map((c) => ({
      port: (c.parentNode as Element).getAttribute('data-port'),
      side: (c.parentNode as Element).getAttribute('class'),
      x: Number(c.getAttribute('cx')),
      y: Number(c.getAttribute('cy')),
    }));
    // cmp: 60 high centred at 0 → ports at −10 and +10 on x = ∓40; out: 40 high → its one port at y = 0, x = 160
    expect(circles).toEqual([
      { port: 'left', side: 'port port-in', x: -40, y: -10 },
      { port: 'right', side: 'port port-in', x: -40, y: 10 },
      { port: 'true', side: 'port port-out', x: 40, y: -10 },
      { port: 'false', side: 'port port-out', x: 40, y: 10 },
      { port: 'dict-1', side: 'port port-in', x: 160, y: 0 },
    ]);
    const portLabels = elements(doc, 'text')
      .filter((t) => t.getAttribute('class') === 'port-label')
      .map((t) => t.textContent);
    expect(portLabels).toEqual(['left', 'right', 'true', 'false', 'dict-1']);
    const [link, loop] = elements(doc, 'path').map((p) => pathPoints(p.getAttribute('d')!));
    expect(link![0]).toEqual([40, 10]); // from cmp.false
    const linkTip = elements(doc, 'polygon')[0]!.getAttribute('points')!.split(' ')[0]!.split(',').map(Number);
    expect(linkTip).toEqual([160, 0]); // arrow tip at out.dict-1
    expect(loop![0]).toEqual([40, -10]); // the self-loop from cmp.true …
    const loopTip = elements(doc, 'polygon')[1]!.getAttribute('points')!.split(' ')[0]!.split(',').map(Number);
    expect(loopTip).toEqual([-40, 10]); // … back to cmp.right
  });

  it('takes its viewBox from the bounding box of everything drawn plus the padding', () => {
    // one node, label narrower than the box: the box is the bounding box
    const one = parseXmlStrict(graphToSvg({ nodes: [box('a', 100, 50)], edges: [], padding: 10 })).documentElement;
    expect(viewBox(one)).toEqual([100 - 40 - 10, 50 - 20 - 10, 80 + 20, 40 + 20]);
    expect(one.getAttribute('width')).toBe('100');
    expect(one.getAttribute('height')).toBe('60');
    // a label wider than its node widens the box: 20 characters × 0.6 em × 12 px = 144 px
    const wide = parseXmlStrict(graphToSvg({ nodes: [box('a', 0, 0, { label: 'x'.repeat(20) })], edges: [], padding: 0 })).documentElement;
    expect(viewBox(wide)[0]).toBeCloseTo(-72, 6);
    expect(viewBox(wide)[2]).toBeCloseTo(144, 6);
    // far-apart nodes: every node lies inside the viewBox
    const nodes = [box('p', -500, 300), box('q', 700, -250), box('r', 0, 0)];
    const [x, y, w, h] = viewBox(parseXmlStrict(graphToSvg({ nodes, edges: [{ source: 'p', target: 'q' }] })).documentElement);
    for (const n of nodes) {
      expect(n.x - 40).toBeGreaterThanOrEqual(x);
      expect(n.x + 40).toBeLessThanOrEqual(x + w);
      expect(n.y - 20).toBeGreaterThanOrEqual(y);
      expect(n.y + 20).toBeLessThanOrEqual(y + h);
    }
    expect(w).toBeCloseTo(1200 + 80 + 32, 6);
    expect(h).toBeCloseTo(550 + 40 + 32, 6);
    // an empty graph is still a valid document
    expect(parseXmlStrict(graphToSvg({ nodes: [], edges: [] })).documentElement.tagName).toBe('svg');
  });

  it('bows two edges between the same nodes apart instead of drawing them on top of each other', () => {
    const doc = parseXmlStrict(
      graphToSvg({
        nodes: [box('a', 0, 0), box('b', 300, 0)],
        edges: [
          { source: 'a', target: 'b' },
          { source: 'b', target: 'a' },
        ],
      }),
    );
    const [ab, ba] = elements(doc, 'path').map((p) => pathPoints(p.getAttribute('d')!));
    // control points on opposite sides of the line y = 0
    expect(Math.sign(ab![1]![1])).toBe(-Math.sign(ba![1]![1]));
    expect(Math.abs(ab![1]![1])).toBeGreaterThan(5);
  });

  it('refuses bad input with an error naming what is wrong', () => {
    const nodes = [box('a', 0, 0, { ports: { in: ['x'], out: ['y'] } }), box('b', 100, 0)];
    expect(() => graphToSvg({ nodes, edges: [{ source: 'a', target: 'zz' }] })).toThrow(/target "zz" is not a node/);
    expect(() => graphToSvg({ nodes, edges: [{ source: 'a', target: 'b', sourcePort: 'nope' }] })).toThrow(
      /node "a" has no output port "nope"/,
    );
    expect(() => graphToSvg({ nodes: [box('a', NaN, 0)], edges: [] })).toThrow(/node "a": x must be a finite number/);
    expect(() => graphToSvg({ nodes: [box('a', 0, 0), box('a', 1, 1)], edges: [] })).toThrow(/duplicate node id "a"/);
    expect(() => graphToSvg({ nodes: [box('a', 0, 0, { fill: 'url(http://evil.example/x)' })], edges: [] })).toThrow(/node "a": fill/);
    expect(() => graphToSvg({ nodes, edges: [{ source: 'a', target: 'b', color: '"/><script>' }] })).toThrow(/color/);
    for (const ok of ['#fff', '#a0b1c2', '#a0b1c2cc', 'steelblue', 'rgb(1, 2, 3)', 'rgba(1,2,3,0.5)', 'hsl(120 50% 50%)'])
      expect(checkColor(ok, 'c')).toBe(ok);
  });
});
