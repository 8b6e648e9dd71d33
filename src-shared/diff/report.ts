/**
 * The circuit comparison as one self-contained HTML document ("Export" of the diff screen): both
 * graphs (SVG from src-shared/render/svg-graph.ts), an optional overlay, the summary, the
 * link table sorted by |Δw| and the behaviour plots (src-shared/diff/plot-svg.ts) with the
 * error figures per string. Inline CSS and inline SVG only: no script, no external URL, so
 * the file opens anywhere and prints to PDF as it looks (print CSS: A4 margins, no breaks
 * inside a figure or table row, table headers repeated on each page, colours kept).
 * The document is XHTML-compatible (well-formed XML) as well as HTML.
 */
import { escapeXml } from '../render/svg-graph';
import type { StringBehaviour } from './behaviour';
import type { LinkDiffSummary, LinkRow } from './link-diff';
import { linePlotSvg } from './plot-svg';

export interface ReportSide {
  readonly label: string;
  /** A standalone SVG document (graphToSvg). */
  readonly svg: string;
}

export interface DiffReport {
  readonly title: string;
  readonly a: ReportSide;
  readonly b: ReportSide;
  readonly overlaySvg?: string;
  readonly summary: LinkDiffSummary;
  readonly rows: readonly LinkRow[];
  readonly behaviour: readonly StringBehaviour[];
  /** When the report was made (shown as ISO 8601). */
  readonly generatedAt: Date;
}

const COLOR_A = '#0072b2';
const COLOR_B = '#d55e00';
const COLOR_EXPECTED = '#4a5568';

/** The elements graphToSvg and linePlotSvg emit: nothing else may be inlined. */
const SVG_ELEMENTS: ReadonlySet<string> = new Set([
  'svg',
  'style',
  'title',
  'g',
  'text',
  'path',
  'polygon',
  'polyline',
  'line',
  'rect',
  'ellipse',
  'circle',
]);

/** The attributes graphToSvg and linePlotSvg emit (no href, no style, no event handler). */
const SVG_ATTRIBUTES: ReadonlySet<string> = new Set([
  'xmlns',
  'viewBox',
  'width',
  'height',
  'font-family',
  'font-size',
  'class',
  'transform',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'd',
  'points',
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'text-anchor',
  'data-id',
  'data-port',
  'data-source',
  'data-target',
  'data-series',
]);

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

/** A character or entity reference: `&amp;`, `&#39;`, `&#x2192;`. */
const REFERENCE = /&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/y;

/** `</name>` and `<name attr="value" …>` / `<name … />` at lastIndex. */
const CLOSE_TAG = /<\/([A-Za-z][\w.:-]*)\s*>/y;
const OPEN_TAG = /<([A-Za-z][\w.:-]*)((?:\s+[^\s=/>"']+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An attribute value with its references resolved (what a browser sees). */
function decodeReferences(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** A value that would load something or run code: url(…), a javascript: / vbscript: URL, a CSS expression. */
function unsafeValue(value: string): string | undefined {
  // controls and spaces are ignored by URL parsers inside a scheme ("java\tscript:")
  // eslint-disable-next-line no-control-regex -- the control characters are what this removes
  const CONTROLS_AND_SPACES = /[\u0000-\u0020\\]/g;
  const squeezed = decodeReferences(value).replace(CONTROLS_AND_SPACES, '').toLowerCase();
  const m = /url\(|javascript:|vbscript:|expression\(/.exec(squeezed);
  return m?.[0];
}

/** A style sheet graphToSvg / linePlotSvg could have written: no at-rule, escape, reference or url(). */
function unsafeCss(css: string): string | undefined {
  const m = /[@\\&<]|url\s*\(|expression\s*\(|javascript:/i.exec(css);
  return m?.[0];
}

/**
 * Refuses an SVG that could run code or load anything when inlined into the report. Only
 * the markup is checked, never the text: every tag must be well-formed, its element one of
 * those graphToSvg and linePlotSvg emit (no script, foreignObject, image, use, set, animate,
 * a, …), each attribute one of theirs (no href, style or event handler), quoted, and its value
 * free of url(…) and javascript: (after resolving references). The contents of <style> must
 * be plain CSS without @import, url(…), escapes or references. Comments, CDATA, processing
 * instructions and doctypes are refused (not allowed inside HTML), and the tags must nest.
 * Text, escaped as graphToSvg escapes it, may hold anything ("sweep onecycle=1", "url(").
 */
export function checkInlineSvg(svg: string, what: string): string {
  const s = svg.trim();
  const refuse = (found: string): never => {
    throw new RangeError(`${what} contains "${found}", which a self-contained report cannot hold`);
  };
  if (!/^<svg[\s>]/.test(s) || !s.endsWith('</svg>')) throw new RangeError(`${what} is not an <svg>…</svg> document`);
  const open: string[] = [];
  let i = 0;
  let done = false;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = s.slice(i, lt < 0 ? s.length : lt);
    if (text !== '') {
      if (done) throw new RangeError(`${what} has something after its closing </svg>`);
      if (open[open.length - 1] === 'style') {
        const bad = unsafeCss(text);
        if (bad !== undefined) refuse(`<style>…${bad}`);
      } else {
        // text: only check that each & starts a reference (well-formed XML), never what it says
        for (let k = text.indexOf('&'); k >= 0; k = text.indexOf('&', k + 1)) {
          REFERENCE.lastIndex = k;
          if (!REFERENCE.test(text)) throw new RangeError(`${what} has an unescaped "&" in its text`);
        }
      }
    }
    if (lt < 0) break;
    if (done) throw new RangeError(`${what} has something after its closing </svg>`);
    CLOSE_TAG.lastIndex = lt;
    const close = CLOSE_TAG.exec(s);
    if (close) {
      const name = close[1]!;
      if (open.pop() !== name) throw new RangeError(`${what} is not well-formed: </${name}> closes nothing open`);
      if (open.length === 0) done = true;
      i = lt + close[0].length;
      continue;
    }
    OPEN_TAG.lastIndex = lt;
    const tag = OPEN_TAG.exec(s);
    if (!tag) refuse(s.slice(lt, lt + 12).split(/\s/)[0]!);
    const [whole, name, attrs, selfClosing] = tag!;
    if (!SVG_ELEMENTS.has(name!)) refuse(`<${name}`);
    if (open.length === 0 && name !== 'svg') throw new RangeError(`${what} is not an <svg>…</svg> document`);
    for (const a of attrs!.matchAll(/([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const attr = a[1]!;
      const value = a[2] ?? a[3] ?? '';
      if (!SVG_ATTRIBUTES.has(attr)) refuse(`${attr}=`);
      if (attr === 'xmlns' && value !== SVG_NAMESPACE) refuse(`xmlns="${value}"`);
      if (attr.startsWith('data-')) continue; // inert: names of neurons and ports, never loaded or run
      const bad = unsafeValue(value);
      if (bad !== undefined) refuse(`${attr}="…${bad}`);
    }
    if (!selfClosing) open.push(name!);
    else if (open.length === 0) done = true;
    i = lt + whole.length;
  }
  if (open.length > 0) throw new RangeError(`${what} is not well-formed: <${open[open.length - 1]}> is never closed`);
  return s;
}

/** A matched pair's plot title: the weakest per-port correlation and the largest |B − A|, each with the port it is on. */
export function pairTitle(n: StringBehaviour['neurons'][number]): string {
  const r = n.correlation === null ? 'r —' : `r(${n.correlationAt}) = ${n.correlation.toFixed(3)}`;
  const d = n.maxAbsDiff === null ? '' : `, max |B−A| = ${fmt(n.maxAbsDiff, 3)}`;
  return `${n.a} ⇄ ${n.b}   ${r}${d}`;
}

function fmt(x: number | null, digits = 4): string {
  if (x === null) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toFixed(digits)));
}

const STATUS_TEXT: Readonly<Record<LinkRow['status'], string>> = {
  matched: 'matched',
  'weight-changed': 'weight changed',
  'sign-flipped': 'sign flipped',
  'only-a': 'only in A',
  'only-b': 'only in B',
};

function summaryHtml(s: LinkDiffSummary, a: string, b: string): string {
  const row = (k: string, x: string, y: string): string => `<tr><th scope="row">${k}</th><td>${x}</td><td>${y}</td></tr>`;
  return (
    `<table class="summary"><thead><tr><th></th><th>${escapeXml(a)} (A)</th><th>${escapeXml(b)} (B)</th></tr></thead><tbody>` +
    row('soft links', String(s.soft.a), String(s.soft.b)) +
    row('hard links', String(s.hard.a), String(s.hard.b)) +
    `</tbody></table>` +
    `<ul class="figures">` +
    `<li>Jaccard of aligned link sets: <b>${fmt(s.jaccard, 3)}</b></li>` +
    `<li>Σ|Δw|: <b>${fmt(s.sumAbsDelta)}</b></li>` +
    (Object.keys(STATUS_TEXT) as Array<LinkRow['status']>).map((k) => `<li>${STATUS_TEXT[k]}: <b>${s.counts[k]}</b></li>`).join('') +
    `</ul>`
  );
}

function linkTableHtml(rows: readonly LinkRow[]): string {
  const sorted = [...rows].sort((x, y) => Math.abs(y.dw) - Math.abs(x.dw));
  const body = sorted
    .map(
      (r) =>
        `<tr class="status-${r.status}"><td>${escapeXml(r.label)}</td><td>${r.kind}</td><td>${STATUS_TEXT[r.status]}</td>` +
        `<td class="num">${fmt(r.wA)}</td><td class="num">${fmt(r.wB)}</td><td class="num">${fmt(r.dw)}</td></tr>`,
    )
    .join('');
  return (
    `<table class="links"><thead><tr><th>link (A names ⇄ B names)</th><th>kind</th><th>status</th>` +
    `<th class="num">w A</th><th class="num">w B</th><th class="num">Δw</th></tr></thead><tbody>${body}</tbody></table>`
  );
}

function behaviourHtml(behaviour: readonly StringBehaviour[], a: string, b: string): string {
  if (behaviour.length === 0) return '<p>No strings were run.</p>';
  const errors =
    `<table class="errors"><thead><tr><th>string</th><th class="num">cycles</th><th class="num">max |err| A</th><th class="num">MSE A</th>` +
    `<th class="num">max |err| B</th><th class="num">MSE B</th></tr></thead><tbody>` +
    behaviour
      .map(
        (s) =>
          `<tr><td><code>${escapeXml(JSON.stringify(s.text))}</code></td><td class="num">${s.cycles}</td>` +
          `<td class="num">${fmt(s.errorA.maxAbs)}</td><td class="num">${fmt(s.errorA.mse)}</td>` +
          `<td class="num">${fmt(s.errorB.maxAbs)}</td><td class="num">${fmt(s.errorB.mse)}</td></tr>`,
      )
      .join('') +
    `</tbody></table>`;
  const perString = behaviour
    .map((s) => {
      const outputs = s.ports
        .map((port, j) =>
          linePlotSvg({
            title: `output.${port}`,
            xLabel: 'cycle',
            width: 420,
            height: 230,
            series: [
              { label: `A: ${a}`, values: s.a[j]!, color: COLOR_A },
              { label: `B: ${b}`, values: s.b[j]!, color: COLOR_B },
              { label: 'expected', values: s.expected[j]!, color: COLOR_EXPECTED, dashed: true },
            ],
          }),
        )
        .join('');
      const difference = linePlotSvg({
        title: 'difference B − A',
        xLabel: 'cycle',
        width: 420,
        height: 230,
        series: s.ports.map((port, j) => ({ label: `output.${port}`, values: s.difference[j]! })),
      });
      const neurons = s.neurons
        .map((n) =>
          linePlotSvg({
            title: pairTitle(n),
            width: 280,
            height: 170,
            series: [
              { label: n.a, values: n.levelA, color: COLOR_A },
              { label: n.b, values: n.levelB, color: COLOR_B, dashed: true },
            ],
          }),
        )
        .join('');
      return (
        `<section class="string"><h3>${escapeXml(JSON.stringify(s.text))} · ${s.cycles} cycles · ` +
        `max |err| A ${fmt(s.errorA.maxAbs)}, B ${fmt(s.errorB.maxAbs)}</h3>` +
        `<div class="plots">${outputs}${difference}</div>` +
        (neurons ? `<h4>Matched neurons (per cycle Σ of each neuron's outputs)</h4><div class="plots small">${neurons}</div>` : '') +
        `</section>`
      );
    })
    .join('');
  return errors + perString;
}

const CSS = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a202c;margin:24px;line-height:1.4}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #cbd5e0}
h3{font-size:14px;margin:16px 0 6px}h4{font-size:13px;margin:10px 0 4px;color:#4a5568}
.meta{color:#4a5568;font-size:12px}
.graphs{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;flex:1 1 420px;border:1px solid #e2e8f0;padding:8px;break-inside:avoid}
figure svg{max-width:100%;height:auto}
figcaption{font-weight:600;font-size:13px;margin-bottom:4px}
table{border-collapse:collapse;font-size:12px;margin:6px 0}
th,td{border:1px solid #e2e8f0;padding:3px 6px;text-align:left;vertical-align:top}
thead{display:table-header-group}
tr{break-inside:avoid}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.figures{font-size:13px;columns:2}
tr.status-matched td{color:#2f855a}tr.status-weight-changed td{color:#b7791f}
tr.status-sign-flipped td{color:#c53030;font-weight:600}tr.status-only-a td{color:#2b6cb0}tr.status-only-b td{color:#c05621}
.plots{display:flex;flex-wrap:wrap;gap:8px}
.plots svg{max-width:100%;height:auto;break-inside:avoid}
section.string{break-inside:avoid-page}
@page{size:A4;margin:12mm}
@media print{
  body{margin:0;font-size:11px}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  h2{break-after:avoid}
  .graphs{display:block}
  figure{page-break-inside:avoid;margin-bottom:8px}
  section.string{page-break-inside:avoid}
}
`;

/** The report (see the module comment). */
export function diffReportHtml(report: DiffReport): string {
  const svgA = checkInlineSvg(report.a.svg, `the graph of ${report.a.label}`);
  const svgB = checkInlineSvg(report.b.svg, `the graph of ${report.b.label}`);
  const overlay = report.overlaySvg === undefined ? undefined : checkInlineSvg(report.overlaySvg, 'the overlay graph');
  if (Number.isNaN(report.generatedAt.getTime())) throw new RangeError('generatedAt is not a valid date');
  const a = report.a.label;
  const b = report.b.label;
  return (
    `<!DOCTYPE html>\n<html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"/>` +
    `<title>${escapeXml(report.title)}</title><style>${CSS}</style></head><body>` +
    `<h1>${escapeXml(report.title)}</h1>` +
    `<p class="meta">A: ${escapeXml(a)} · B: ${escapeXml(b)} · generated ${escapeXml(report.generatedAt.toISOString())} by DMM Lab</p>` +
    `<h2>Circuits</h2><div class="graphs">` +
    `<figure><figcaption>A: ${escapeXml(a)}</figcaption>${svgA}</figure>` +
    `<figure><figcaption>B: ${escapeXml(b)}</figcaption>${svgB}</figure>` +
    `</div>` +
    (overlay ? `<h2>Overlay</h2><div class="graphs"><figure><figcaption>A and B on one graph</figcaption>${overlay}</figure></div>` : '') +
    `<h2>Summary</h2>${summaryHtml(report.summary, a, b)}` +
    `<h2>Links by |Δw|</h2>${linkTableHtml(report.rows)}` +
    `<h2>Behaviour</h2>${behaviourHtml(report.behaviour, a, b)}` +
    `</body></html>\n`
  );
}
