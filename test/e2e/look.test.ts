/**
 * The lab's look end to end, in Debian's Chromium against the real browser host: one visual
 * language (the design tokens give the page its colours, and a dark system setting gives a
 * dark page whose text stays readable) and the screen's width used where a researcher reads
 * (Compare's table, the diff's panes and heatmap, the run browser's side panel beside the
 * table's figures, the Columns popup beside the panel), at 1600 px wide.
 * Screenshots: test-results/screenshots/look-*.png (light and dark).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, editorCanvasSettled, startE2ELab, waitForRunEnd, type E2ELab } from '../helpers/browser';
import { shortSchedule } from '../helpers/lab';

const WIDTH = 1600;
let lab: E2ELab;
const runs: number[] = [];

type Box = { x: number; y: number; width: number; height: number };
const box = async (page: Page, selector: string): Promise<Box> => {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not on screen`);
  return b;
};
const intersects = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** sRGB relative luminance of a CSS `rgb(...)`/`rgba(...)` colour. */
function luminance(css: string): number {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(css);
  if (!m) throw new Error(`not an rgb colour: ${css}`);
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(Number(m[1])) + 0.7152 * lin(Number(m[2])) + 0.0722 * lin(Number(m[3]));
}
/** WCAG contrast ratio of two CSS colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Body text and background colours as the page computes them. */
const pageColours = (page: Page) =>
  page.evaluate(() => {
    const s = getComputedStyle(document.body);
    return { color: s.color, background: s.backgroundColor };
  });

describeE2E('The lab’s look (Chromium, browser host, 1600 px)', () => {
  beforeAll(async () => {
    lab = await startE2ELab({ viewport: { width: WIDTH, height: 1000 }, hostArgs: ['--concurrency', '2'] });
    for (const seed of [5, 6])
      runs.push((await lab.api<{ id: number }>('runs.start', { name: `look ${seed}`, schedule: shortSchedule(seed), tags: ['e2e'] })).id);
    for (const id of runs) await waitForRunEnd(lab, id, 90_000);
  }, 200_000);

  afterAll(async () => {
    await lab?.close();
  });

  it('the run browser: the side panel leaves Final loss and Test worst visible; the Columns popup does not cover the panel', async () => {
    const { page } = lab;
    await lab.open('#/runs');
    await page.getByTestId(`run-row-${runs[0]}`).click();
    await page.getByTestId('side-panel').waitFor();
    const panel = await box(page, '[data-testid="side-panel"]');
    for (const col of ['finalLoss', 'testWorst']) {
      const head = await box(page, `[data-testid="sort-${col}"]`);
      expect(head.x + head.width, `${col} header right edge`).toBeLessThanOrEqual(panel.x);
      expect(head.x, `${col} header`).toBeGreaterThanOrEqual(0);
    }
    await lab.screenshot('look-runs-panel');
    await page.locator('[data-testid="column-chooser"] summary').click();
    const popup = await box(page, '[data-testid="column-chooser"] .menu');
    expect(intersects(popup, panel)).toBe(false);
    await lab.screenshot('look-runs-columns');
    await page.locator('[data-testid="column-chooser"] summary').click();
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('Compare: the table uses the width', async () => {
    const { page } = lab;
    await lab.open(`#/compare/${runs.join(',')}`);
    await page.getByTestId('compare-table').waitFor();
    const table = await box(page, '[data-testid="compare-table"]');
    expect(table.width).toBeGreaterThan(WIDTH * 0.6);
    await lab.screenshot('look-compare');
  }, 60_000);

  it('the diff: side-by-side panes and the heatmap use the width', async () => {
    const { page } = lab;
    await lab.open(`#/diff?a=run:${runs[0]}&b=run:${runs[1]}`);
    await page.getByTestId('diff-pane-a').waitFor();
    const a = await box(page, '[data-testid="diff-pane-a"]');
    const b = await box(page, '[data-testid="diff-pane-b"]');
    expect(a.width + b.width).toBeGreaterThan(WIDTH * 0.8);
    expect(a.height).toBeGreaterThan(400);
    await lab.screenshot('look-diff-side');
    await page.getByTestId('diff-tab-heatmap').click();
    await page.getByTestId('diff-heatmap').waitFor();
    const canvases = page.locator('[data-testid="diff-heatmap"] canvas');
    const c0 = (await canvases.nth(0).boundingBox())!;
    const c1 = (await canvases.nth(1).boundingBox())!;
    expect(c0.width + c1.width).toBeGreaterThan(WIDTH * 0.6);
    await lab.screenshot('look-diff-heatmap');
  }, 60_000);

  it('the run browser toolbar does not move when a filter list gets a longer entry', async () => {
    const { page } = lab;
    await lab.open('#/runs');
    await page.getByTestId('run-table').waitFor();
    const before = await box(page, '[data-testid="filter-input"]');
    const views = await box(page, '[data-testid="show-trash"]');
    // a run with a long tag (tags are editable on any run): the tag filter gains that option
    await lab.api('runs.update', { id: runs[1], tags: ['e2e', 'a-much-longer-tag-name-than-any-before-it'] });
    await lab.open('#/runs');
    await page.getByTestId('run-table').waitFor();
    await expect.poll(async () => page.locator('[data-testid="tag-filter"] option').count()).toBeGreaterThan(2);
    const after = await box(page, '[data-testid="filter-input"]');
    expect(after.x).toBe(before.x);
    expect(after.y).toBe(before.y);
    expect((await box(page, '[data-testid="show-trash"]')).y).toBe(views.y);
  }, 60_000);

  it('the exported HTML report: no legend entry overlaps another', async () => {
    const { page } = lab;
    await lab.open(`#/diff?a=run:${runs[0]}&b=run:${runs[1]}`);
    await page.getByTestId('diff-pane-a').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('diff-export-html').click()]);
    const file = await download.path();
    const html = readFileSync(file, 'utf8');
    const report = await lab.context.newPage();
    await report.setViewportSize({ width: 1200, height: 900 });
    await report.setContent(html);
    const overlaps = await report.evaluate(() => {
      const out: string[] = [];
      let entries = 0;
      for (const svg of document.querySelectorAll('svg')) {
        const boxes = [...svg.querySelectorAll('g.legend-entry')].map((g) => ({
          label: g.textContent ?? '',
          r: g.getBoundingClientRect(),
        }));
        entries += boxes.length;
        const frame = svg.getBoundingClientRect();
        for (const [i, a] of boxes.entries()) {
          if (a.r.right > frame.right + 0.5 || a.r.left < frame.left - 0.5) out.push(`"${a.label}" leaves its plot`);
          for (const b of boxes.slice(i + 1)) {
            const hit = a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom;
            if (hit) out.push(`"${a.label}" overlaps "${b.label}"`);
          }
        }
      }
      return { out, entries };
    });
    expect(overlaps.entries).toBeGreaterThan(6);
    expect(overlaps.out).toEqual([]);
    await lab.screenshot('look-report', report);
    await report.close();
  }, 90_000);

  it('a dark system setting gives a dark page whose text stays readable', async () => {
    const { page } = lab;
    await page.emulateMedia({ colorScheme: 'light' });
    await lab.open('#/runs');
    await page.getByTestId('run-table').waitFor();
    const light = await pageColours(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await pageColours(page);
    expect(dark.background).not.toBe(light.background);
    expect(luminance(dark.background)).toBeLessThan(0.05);
    expect(contrast(dark.color, dark.background)).toBeGreaterThan(7);
    expect(contrast(light.color, light.background)).toBeGreaterThan(7);
    await lab.screenshot('look-dark-runs');
    // the other screens in the dark, for the eye (each drawn, no page error)
    await lab.open(`#/runs/${runs[0]}`);
    await page.getByTestId('snapshot-graph').waitFor();
    await page.getByTestId('loss-chart').waitFor();
    await lab.screenshot('look-dark-run');
    await lab.open(`#/compare/${runs.join(',')}`);
    await page.getByTestId('compare-table').waitFor();
    await lab.screenshot('look-dark-compare');
    await lab.open(`#/diff?a=run:${runs[0]}&b=run:${runs[1]}`);
    await page.getByTestId('diff-pane-a').waitFor();
    await lab.screenshot('look-dark-diff');
    await page.getByTestId('diff-tab-heatmap').click();
    await page.getByTestId('diff-heatmap').waitFor();
    await lab.screenshot('look-dark-heatmap');
    await lab.open('#/editor?generate=handcrafted');
    await editorCanvasSettled(page);
    await lab.screenshot('look-dark-editor');
    expect(lab.pageErrors).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
  }, 120_000);
});
