/**
 * The circuit comparison as one self-contained HTML document (issue 7, "Export"): both
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

/**
 * Refuses an SVG that could run code or load anything when inlined: a script or
 * foreignObject element, an event-handler attribute, an href, a url(…) or an XML
 * declaration / doctype (not allowed inside HTML).
 */
export function checkInlineSvg(svg: string, what: string): string {
  const s = svg.trim();
  if (!/^<svg[\s>]/.test(s) || !s.endsWith('</svg>')) throw new RangeError(`${what} is not an <svg>…</svg> document`);
  const bad = /<\s*(script|foreignObject|iframe|image|use)\b|\son[a-z]+\s*=|href\s*=|url\s*\(|<!|<\?/i.exec(s);
  if (bad) throw new RangeError(`${what} contains "${bad[0].trim()}", which a self-contained report cannot hold`);
  return s;
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
            title: `${n.a} ⇄ ${n.b}   r = ${n.correlation === null ? '—' : n.correlation.toFixed(3)}`,
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
