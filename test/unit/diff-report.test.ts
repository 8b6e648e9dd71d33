// The static line plot (src-shared/diff/plot-svg.ts) and the self-contained HTML report
// (src-shared/diff/report.ts), built from the real 2022 circuit against the hand-crafted one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignCircuits } from '../../src-shared/diff/align';
import { compareBehaviour, probeString } from '../../src-shared/diff/behaviour';
import { diffLinks } from '../../src-shared/diff/link-diff';
import { linePlotSvg, niceTicks } from '../../src-shared/diff/plot-svg';
import { checkInlineSvg, diffReportHtml } from '../../src-shared/diff/report';
import { alignmentEvidence } from '../../src-shared/diff/traces';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { matrixLinks, type MachineSpec } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { graphToSvg } from '../../src-shared/render/svg-graph';
import { elements, parseXmlStrict } from '../helpers/xml';

const DIR = new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url);
const load = (file: string): MachineSpec => importPrototypeMatrix(readFileSync(new URL(file, DIR), 'utf8'), file);

/** A plain grid layout of a circuit, for the report's graphs. */
function circuitSvg(spec: MachineSpec, title: string): string {
  return graphToSvg({
    title,
    nodes: spec.neurons.map((n, i) => ({
      id: n.name,
      x: (i % 4) * 160,
      y: Math.floor(i / 4) * 90,
      width: 110,
      height: 44,
      label: n.name,
      sublabel: n.type,
    })),
    edges: matrixLinks(spec.trainable).map((l) => ({
      source: l.from,
      target: l.to,
      label: l.weight.toFixed(2),
      color: l.weight < 0 ? '#c53030' : '#2b6cb0',
    })),
  });
}

describe('linePlotSvg', () => {
  it('draws one polyline per series, a legend entry per series and ticks covering the data', () => {
    const svg = linePlotSvg({
      title: 'out <1>',
      xLabel: 'cycle',
      yLabel: 'value',
      series: [
        { label: 'A & co', values: [0, 1, 2, 3] },
        { label: 'B', values: [3, 2, NaN, 0], dashed: true, color: '#d55e00' },
      ],
    });
    const doc = parseXmlStrict(svg);
    const lines = elements(doc, 'polyline');
    // B's NaN breaks its line in two
    expect(lines.map((l) => l.getAttribute('data-series'))).toEqual(['0', '1', '1']);
    expect(lines[0]!.getAttribute('points')!.split(' ')).toHaveLength(4);
    expect(lines[2]!.getAttribute('stroke-dasharray')).toBe('5 3');
    const texts = elements(doc, 'text').map((t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining(['out <1>', 'cycle', 'value', 'A & co', 'B', '0', '3']));
    // the first series rises: its points go up the page (smaller y) from left to right
    const pts = lines[0]!
      .getAttribute('points')!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]![0]).toBeGreaterThan(pts[i - 1]![0]!);
      expect(pts[i]![1]).toBeLessThan(pts[i - 1]![1]!);
    }
  });

  it('picks round ticks and refuses a size it cannot draw in', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-0.3, 0.9, 6)).toEqual([-0.2, 0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(1, 140, 8)).toEqual([20, 40, 60, 80, 100, 120, 140]);
    expect(() => linePlotSvg({ series: [], width: 50 })).toThrow(/plot size/);
    expect(() => linePlotSvg({ series: [{ label: 'x', values: [1], color: 'url(#x)' }] })).toThrow(/series "x"/);
    parseXmlStrict(linePlotSvg({ series: [] })); // an empty plot is still a document
  });

  it('ends on nearly constant large values and on ranges that are not finite', () => {
    // a step below the numbers' resolution: each value once, in order, few of them
    const big = niceTicks(1e16, 1e16 + 2);
    expect(big.length).toBeGreaterThan(0);
    expect(big.length).toBeLessThanOrEqual(50);
    for (let i = 1; i < big.length; i++) expect(big[i]!).toBeGreaterThan(big[i - 1]!);
    for (const t of big) expect(t === 1e16 || t === 1e16 + 2 || (t > 1e16 && t < 1e16 + 2)).toBe(true);
    expect(niceTicks(0, 1, 1e9).length).toBeLessThanOrEqual(50); // a huge count is capped
    expect(niceTicks(NaN, NaN)).toEqual([0]);
    expect(niceTicks(-Infinity, 3)).toEqual([3]);
    expect(niceTicks(2, Infinity)).toEqual([2]);
    expect(niceTicks(-Number.MAX_VALUE, Number.MAX_VALUE)).toEqual([-Number.MAX_VALUE, Number.MAX_VALUE]);
    expect(niceTicks(5, 5)).toEqual([5]);
    // plots of such series are drawn with finite coordinates only
    for (const values of [
      [1e16, 1e16 + 2, 1e16],
      [1e17, 1e17],
      [Number.MAX_VALUE, Number.MAX_VALUE],
      [-Number.MAX_VALUE, Number.MAX_VALUE],
      [NaN, Infinity],
    ]) {
      const svg = linePlotSvg({ title: 't', series: [{ label: 's', values }] });
      expect(svg, String(values)).not.toMatch(/NaN|Infinity/);
      const doc = parseXmlStrict(svg);
      expect(elements(doc, 'text').some((t) => t.getAttribute('class') === 'tick')).toBe(true);
    }
  });
});

describe('diffReportHtml', () => {
  const sparse20 = load('sparse20-after-200-steps-matrix.json');
  const hand = handcraftedDetector();
  const alignment = alignCircuits(sparse20, hand, alignmentEvidence(sparse20, hand));
  const diff = diffLinks(sparse20, hand, alignment);
  const behaviour = compareBehaviour(sparse20, hand, [probeString('aaaa.', 50), probeString('a.b.c.d.e.', 100)], { alignment });
  const make = (overrides: Partial<Parameters<typeof diffReportHtml>[0]> = {}): string =>
    diffReportHtml({
      title: 'sparse20 <vs> hand-crafted',
      a: { label: 'sparse20 & co', svg: circuitSvg(sparse20, 'sparse20') },
      b: { label: 'hand-crafted', svg: circuitSvg(hand, 'hand-crafted') },
      summary: diff.summary,
      rows: diff.rows,
      behaviour,
      generatedAt: new Date('2024-05-01T12:00:00Z'),
      ...overrides,
    });

  it('is one well-formed, self-contained document: no script, no external URL', () => {
    const html = make();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const doc = parseXmlStrict(html);
    expect(elements(doc, 'script')).toEqual([]);
    expect(elements(doc, 'link')).toEqual([]);
    expect(elements(doc, 'img')).toEqual([]);
    // the only URLs are the XML namespace names of html and svg
    const urls = new Set(html.match(/https?:\/\/[^"' )]+/g) ?? []);
    expect([...urls].sort()).toEqual(['http://www.w3.org/1999/xhtml', 'http://www.w3.org/2000/svg']);
    expect(elements(doc, 'title')[0]!.textContent).toBe('sparse20 <vs> hand-crafted');
    expect(html).toContain('generated 2024-05-01T12:00:00.000Z');
    // print-friendly CSS
    const css = elements(doc, 'style')[0]!.textContent;
    expect(css).toContain('@media print');
    expect(css).toContain('@page');
    expect(css).toContain('thead{display:table-header-group}');
  });

  it('holds both graphs, the summary and the link table sorted by |Δw|', () => {
    const doc = parseXmlStrict(make({ overlaySvg: graphToSvg({ nodes: [], edges: [], title: 'overlay' }) }));
    const figures = elements(doc, 'figure');
    expect(figures.map((f) => elements(f, 'figcaption')[0]!.textContent)).toEqual([
      'A: sparse20 & co',
      'B: hand-crafted',
      'A and B on one graph',
    ]);
    // each circuit's neurons are drawn in its figure
    const ids = (f: Element) =>
      elements(f, 'g')
        .filter((g) => g.getAttribute('class') === 'node')
        .map((g) => g.getAttribute('data-id'));
    expect(ids(figures[0]!).sort()).toEqual(sparse20.neurons.map((n) => n.name).sort());
    expect(ids(figures[1]!).sort()).toEqual(hand.neurons.map((n) => n.name).sort());
    const table = elements(doc, 'table').find((t) => t.getAttribute('class') === 'links')!;
    const rows = elements(table, 'tr').slice(1);
    expect(rows).toHaveLength(diff.rows.length);
    const dws = rows.map((r) => Math.abs(Number(elements(r, 'td')[5]!.textContent)));
    for (let i = 1; i < dws.length; i++) expect(dws[i]!).toBeLessThanOrEqual(dws[i - 1]! + 1e-12);
    // the summary's counts as computed by the link diff
    const text = doc.documentElement.textContent;
    expect(text).toContain(`soft links${diff.summary.soft.a}${diff.summary.soft.b}`);
    expect(text).toContain(`only in A: ${diff.summary.counts['only-a']}`);
  });

  it("plots each string's outputs, their difference and every matched neuron, with the error figures", () => {
    const doc = parseXmlStrict(make());
    const sections = elements(doc, 'section');
    expect(sections).toHaveLength(2);
    for (const [i, s] of sections.entries()) {
      const titles = elements(s, 'svg').map((svg) => elements(svg, 'title')[0]?.textContent);
      expect(titles.slice(0, 3)).toEqual(['output.dict-1', 'output.dict-2', 'difference B − A']);
      expect(titles.length).toBe(3 + behaviour[i]!.neurons.length);
      // each pair's title names the port its correlation is on, and the largest |B − A| beside it
      const accum = behaviour[i]!.neurons.find((n) => n.a === 'accum-1-2')!;
      const title = titles.find((t) => t?.startsWith('accum-1-2 ⇄ accum   r('));
      expect(title).toContain(`r(${accum.correlationAt}) = ${accum.correlation!.toFixed(3)}`);
      expect(title).toMatch(/, max \|B−A\| = [0-9.e+-]+$/);
    }
    // the defect shows in the error table: sparse20 (A) misses on both strings, the hand-crafted (B) never does
    const errors = elements(doc, 'table').find((t) => t.getAttribute('class') === 'errors')!;
    const cells = elements(errors, 'tr')
      .slice(1)
      .map((r) => elements(r, 'td').map((c) => c.textContent));
    expect(cells.map((c) => c[0])).toEqual(['"aaaa."', '"a.b.c.d.e."']);
    for (const c of cells) {
      expect(Number(c[2])).toBeGreaterThan(0.3);
      expect(c[4]).toBe('0');
    }
  });

  it('refuses graphs that would run code or load anything', () => {
    expect(() => make({ a: { label: 'x', svg: '<svg><script>alert(1)</script></svg>' } })).toThrow(/graph of x contains "<script"/);
    expect(() => make({ b: { label: 'y', svg: '<svg><image href="http://e.example/p.png"/></svg>' } })).toThrow(/graph of y/);
    expect(() => make({ overlaySvg: '<svg onload="x()"></svg>' })).toThrow(/overlay graph contains "onload="/);
    expect(() => make({ overlaySvg: '<div></div>' })).toThrow(/not an <svg>/);
    expect(() => make({ generatedAt: new Date('nope') })).toThrow(/generatedAt/);
    expect(checkInlineSvg(' <svg></svg> ', 'g')).toBe('<svg></svg>');
  });

  it('refuses markup that runs code or loads anything, however it is spelled', () => {
    const refused: [string, RegExp][] = [
      ['<svg><set attributeName="href" to="javascript:alert(1)"/></svg>', /contains "<set"/],
      ['<svg><animate attributeName="fill" values="url(http://e.example/x)"/></svg>', /contains "<animate"/],
      ['<svg><a href="https://e.example/"><text>x</text></a></svg>', /contains "<a"/],
      ['<svg><use xlink:href="#x"/></svg>', /contains "<use"/],
      ['<svg><foreignObject><div/></foreignObject></svg>', /contains "<foreignObject"/],
      ['<svg><g xlink:href="https://e.example/"/></svg>', /contains "xlink:href="/],
      ['<svg><rect style="fill:red"/></svg>', /contains "style="/],
      ['<svg><rect ONLOAD="x()"/></svg>', /contains "ONLOAD="/],
      ['<svg><style>@import url(https://e.example/a.css);</style></svg>', /contains "<style>…@"/],
      ['<svg><style>text{fill:red}@import "https://e.example/a.css";</style></svg>', /contains "<style>…@"/],
      ['<svg><style>&#64;import "https://e.example/a.css";</style></svg>', /contains "<style>…&"/],
      ['<svg><style>text{background:url(https://e.example/p.png)}</style></svg>', /contains "<style>…url\(/],
      ['<svg><style>text{background:u\\72l(x)}</style></svg>', /contains "<style>…\\"/],
      ['<svg><rect fill="url(https://e.example/#p)"/></svg>', /contains "fill="…url\("/],
      ['<svg><rect fill="&#117;rl(https://e.example/#p)"/></svg>', /contains "fill="…url\("/],
      ['<svg><rect fill="java&#x09;script:alert(1)"/></svg>', /contains "fill="…javascript:"/],
      ['<svg xmlns="http://www.w3.org/1999/xhtml"></svg>', /contains "xmlns=/],
      ['<svg><!-- a comment --></svg>', /contains "<!--"/],
      ['<svg><![CDATA[<script>x()</script>]]></svg>', /contains "<!\[CDATA\[/],
      ['<svg><rect fill=red/></svg>', /contains "<rect"/],
      ['<svg><g></svg>', /not well-formed/],
      ['<svg></svg><svg></svg>', /after its closing/],
      ['<svg></svg><script>x()</script></svg>', /after its closing/],
      ['<svg><text>a & b</text></svg>', /unescaped "&"/],
    ];
    for (const [svg, message] of refused) expect(() => checkInlineSvg(svg, 'g'), svg).toThrow(message);
  });

  it('accepts any text in graphs and plots: names with "=", "url(", "javascript:" or markup in them', () => {
    const name = 'sweep onecycle=1 url(x) javascript:alert(1) <script> & "quotes" @import';
    const graph = graphToSvg({
      title: name,
      nodes: [
        {
          id: 'n=1',
          x: 0,
          y: 0,
          width: 80,
          height: 30,
          label: name,
          sublabel: 'url(',
          shape: 'ellipse',
          ports: { in: ['on=1'], out: ['url('] },
        },
        { id: 'm', x: 200, y: 0, width: 80, height: 30, label: 'm', shape: 'rectangle', fill: 'rgb(1, 2, 3)' },
      ],
      edges: [
        { source: 'n=1', target: 'm', sourcePort: 'url(', label: 'onload=x', dashed: true },
        { source: 'm', target: 'm', label: 'loop' },
        { source: 'm', target: 'n=1', targetPort: 'on=1', color: '#c53030' },
      ],
    });
    expect(checkInlineSvg(graph, 'g')).toBe(graph);
    const plot = linePlotSvg({ title: name, xLabel: 'x=1', yLabel: 'url(', series: [{ label: name, values: [1, NaN, 2], dashed: true }] });
    expect(checkInlineSvg(plot, 'p')).toBe(plot);
    // the report with such a run name: exported, the name shown as text
    const html = make({ title: name, a: { label: name, svg: graph }, overlaySvg: graph });
    const doc = parseXmlStrict(html);
    expect(elements(doc, 'title')[0]!.textContent).toBe(name);
    expect(elements(doc, 'figcaption')[0]!.textContent).toBe(`A: ${name}`);
    expect(elements(doc, 'script')).toEqual([]);
  });
});
