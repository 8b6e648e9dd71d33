/**
 * Export of a comparison as one self-contained HTML file (src-shared/diff/report.ts: both
 * graphs, the overlay, the summary, the link table by |Δw| and the behaviour plots; inline
 * CSS and SVG, no script, print-friendly — print it to get a PDF).
 */
import { compareBehaviour, defaultStringSets } from '@shared/diff/behaviour';
import type { LinkDiff } from '@shared/diff/link-diff';
import { diffReportHtml } from '@shared/diff/report';
import { saveFile } from '../lib/download';
import type { DiffModel } from './diff-model';
import type { LoadedCircuit } from './load-circuit';
import type { Positions } from './positions';
import { circuitSvg, overlaySvg } from './report-graphs';

export interface ReportInput {
  readonly title: string;
  readonly model: DiffModel;
  readonly diff: LinkDiff;
  readonly positions: Positions;
  readonly a: LoadedCircuit;
  readonly b: LoadedCircuit;
  readonly threshold: number;
}

/** The report's HTML text. */
export function reportHtml(r: ReportInput, generatedAt = new Date()): string {
  const defects = defaultStringSets()[0]?.strings ?? [];
  return diffReportHtml({
    title: r.title,
    a: { label: r.a.label, svg: circuitSvg(r.model, 'a', r.positions, r.threshold, `A: ${r.a.short}`) },
    b: { label: r.b.label, svg: circuitSvg(r.model, 'b', r.positions, r.threshold, `B: ${r.b.short}`) },
    overlaySvg: overlaySvg(r.model, r.positions, r.diff, 'Overlay'),
    summary: r.diff.summary,
    rows: r.diff.rows,
    behaviour: compareBehaviour(r.model.a, r.model.b, defects, { alignment: r.model.alignment }),
    generatedAt,
  });
}

/** A file name from the title: letters, digits and dashes. */
export function reportFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'circuit-diff'}.html`;
}

/**
 * Builds the report and saves it (a download in a browser, the save dialog in Electron);
 * returns the file name and what became of it (`canceled`: the dialog was closed).
 */
export async function exportReport(r: ReportInput): Promise<{ file: string; status: 'saved' | 'canceled' | 'downloaded' }> {
  const html = reportHtml(r);
  const file = reportFileName(r.title);
  const status = await saveFile(file, html, 'text/html');
  return { file, status };
}
