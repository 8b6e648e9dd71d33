/**
 * What the lab shows about a run is true, in Chromium against the real browser host: a run
 * whose circuit cannot read its input (no `input` neuron) ends completed with verdict failed
 * — in the run browser (its own column, `verdict = failed` filters), on its page and in
 * Compare, where it is never highlighted as best; a finished run's bar is full with the step
 * it ended at; a live run's estimate is for its phase, and when it ends the header shows the
 * stored final figures. Screenshots: test-results/screenshots/truth-*.png.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, startE2ELab, waitForRunEnd, type E2ELab } from '../helpers/browser';
import { FIXTURES, ROOT } from '../helpers/cli';
import { longSchedule, shortSchedule } from '../helpers/lab';

let lab: E2ELab;
type Run = { id: number; status: string; name: string; verdict: string; steps: number; stepBudget: number; finalLoss: number | null };
let port: number;
let noInput: Run;
let normal: Run;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** The prototype's 16-link matrix with every link that reads `input` removed: nothing can read the characters. */
function matrixWithoutInput(): Record<string, unknown> {
  const m = JSON.parse(readFileSync(join(ROOT, FIXTURES, 'sparse16-after-2500-steps-matrix.json'), 'utf8')) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  for (const ports of Object.values(m)) for (const sources of Object.values(ports)) delete sources['input'];
  return m;
}

describeE2E('What the lab shows is true (Chromium, browser host)', () => {
  beforeAll(async () => {
    port = await freePort();
    lab = await startE2ELab({ hostArgs: ['--concurrency', '2', '--port', String(port)] });
    noInput = await lab.api<Run>('runs.start', {
      name: 'no input',
      schedule: { ...shortSchedule(3), start: { kind: 'matrix', name: 'no-input', matrix: matrixWithoutInput() } },
    });
    normal = await lab.api<Run>('runs.start', { name: 'alpha short', schedule: shortSchedule(5) });
    await waitForRunEnd(lab, noInput.id, 90_000);
    await waitForRunEnd(lab, normal.id, 90_000);
    noInput = await lab.api<Run>('runs.get', { id: noInput.id });
    normal = await lab.api<Run>('runs.get', { id: normal.id });
  }, 240_000);

  afterAll(async () => {
    await lab?.close();
  });

  it('the lab serves the UI on the port it was given (npm run lab -- --port N)', async () => {
    expect(lab.host.port).toBe(port);
    await lab.open('#/runs');
    expect(new URL(lab.page.url()).port).toBe(String(port));
    await lab.page.getByTestId(`run-row-${noInput.id}`).waitFor();
    // the page has a favicon (no 404 on every load: pageErrors records any 404)
    const icon = await lab.page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? '');
    expect(icon).toMatch(/favicon.*\.svg$/);
    expect((await fetch(icon)).status).toBe(200);
    expect(lab.pageErrors).toEqual([]);
  }, 30_000);

  it('a run without an input neuron: verdict failed in the run browser, filterable', async () => {
    const { page } = lab;
    expect(noInput.status).toBe('completed');
    expect(noInput.verdict).toBe('failed');
    await lab.open('#/runs');
    const badge = page.getByTestId(`verdict-${noInput.id}`);
    await badge.waitFor();
    expect(await badge.getAttribute('data-verdict')).toBe('failed');
    expect(await badge.textContent()).toContain('failed');
    // the status badge of a completed run that failed its verdict is not the success green
    const status = page.getByTestId(`run-row-${noInput.id}`).locator('.badge.completed');
    expect(await status.evaluate((el) => el.classList.contains('unproven'))).toBe(true);
    await page.getByTestId(`run-row-${noInput.id}`).click();
    await page.getByTestId('panel-verdict').waitFor();
    await expect.poll(async () => page.getByTestId('panel-vs-reference').textContent(), { timeout: 20_000 }).toContain('not compared');
    await lab.screenshot('truth-runs-verdict');

    const filter = page.getByTestId('filter-input');
    await filter.fill('verdict = failed');
    await filter.press('Enter');
    await expect
      .poll(async () => page.getByTestId(`run-row-${normal.id}`).count(), { timeout: 10_000 })
      .toBe(normal.verdict === 'failed' ? 1 : 0);
    expect(await page.getByTestId(`run-row-${noInput.id}`).count()).toBe(1);
    await filter.fill('verdict < failed');
    await filter.press('Enter');
    await page.getByTestId('filter-error').waitFor();
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('its page: verdict failed beside the status, the reason says so, the bar is full with the step it ended at', async () => {
    const { page } = lab;
    await lab.open(`#/runs/${noInput.id}`);
    const verdict = page.getByTestId('detail-verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('failed');
    expect(await page.locator('header .reason').textContent()).toMatch(/^verdict failed \(training loss/);
    const steps = await page.getByTestId('progress-steps').textContent();
    expect(noInput.steps).toBeLessThanOrEqual(noInput.stepBudget);
    expect(steps).toBe(
      noInput.steps >= noInput.stepBudget
        ? `${noInput.steps.toLocaleString('en-US')} / ${noInput.stepBudget.toLocaleString('en-US')} steps (100 %)`
        : `ended at step ${noInput.steps.toLocaleString('en-US')} of at most ${noInput.stepBudget.toLocaleString('en-US')}`,
    );
    const fill = await page.locator('[data-testid="detail-progress"] .fill').evaluate((el) => (el as HTMLElement).style.width);
    expect(fill).toBe('100%');
    await lab.screenshot('truth-run-failed');
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('the run page shows the final circuit by default, laid out on its own: readable, nothing overlapping, steady on the slider', async () => {
    const { page } = lab;
    const snaps = await lab.api<{ id: number; softLinks: number }[]>('runs.snapshots', { id: normal.id });
    await lab.open(`#/runs/${normal.id}`);
    const info = page.getByTestId('snapshot-info');
    await expect.poll(async () => info.getAttribute('data-snapshot-id'), { timeout: 20_000 }).toBe(String(snaps.at(-1)!.id));
    type Shot = {
      zoom: number;
      nodes: { id: string; x: number; y: number; box: { x1: number; y1: number; x2: number; y2: number } }[];
      captioned: number;
      edges: number;
    };
    const read = () =>
      page.locator('[data-testid="snapshot-graph"] .canvas').evaluate((el): Shot => {
        type Box = { x1: number; y1: number; x2: number; y2: number };
        type Cy = {
          zoom(): number;
          nodes(): {
            map<T>(f: (n: { id(): string; position(): { x: number; y: number }; renderedBoundingBox(o: object): Box }) => T): T[];
          };
          edges(sel: string): { length: number };
        };
        const cy = (el as HTMLElement & { __cy: Cy }).__cy;
        return {
          zoom: cy.zoom(),
          nodes: cy
            .nodes()
            .map((n) => ({ id: n.id(), ...n.position(), box: n.renderedBoundingBox({ includeLabels: true, includeOverlays: false }) })),
          captioned: cy.edges('.soft.captioned').length,
          edges: cy.edges('.soft').length,
        };
      });
    await expect.poll(async () => (await read()).nodes.length, { timeout: 20_000 }).toBeGreaterThan(2);
    const final = await read();
    // node names at 9 px × zoom: at least 10 px on screen
    expect(final.zoom * 9).toBeGreaterThanOrEqual(10);
    // no two neurons (with their labels) overlap
    const overlaps: string[] = [];
    final.nodes.forEach((a, i) =>
      final.nodes.slice(i + 1).forEach((b) => {
        if (a.box.x1 < b.box.x2 && b.box.x1 < a.box.x2 && a.box.y1 < b.box.y2 && b.box.y1 < a.box.y2) overlaps.push(`${a.id} / ${b.id}`);
      }),
    );
    expect(overlaps).toEqual([]);
    // a small circuit shows each link's ports and weight
    expect(final.edges).toBeLessThanOrEqual(16);
    expect(final.captioned).toBe(final.edges);
    await lab.screenshot('truth-run-final-circuit');

    // one snapshot back: the neurons in both keep their top-to-bottom order within their layer
    await page.getByTestId('snapshot-slider').focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => info.getAttribute('data-snapshot-id'), { timeout: 10_000 }).toBe(String(snaps.at(-2)!.id));
    await expect.poll(async () => JSON.stringify((await read()).nodes.map((n) => n.id).sort()), { timeout: 10_000 }).not.toBe('');
    const before = await read();
    const at = new Map(before.nodes.map((n) => [n.id, n]));
    const common = final.nodes.filter((n) => at.has(n.id));
    for (const a of common)
      for (const b of common) {
        const [pa, pb] = [at.get(a.id)!, at.get(b.id)!];
        if (a.x === b.x && pa.x === pb.x && a.y < b.y) expect(pa.y).toBeLessThan(pb.y);
      }
    await lab.screenshot('truth-run-previous-snapshot');
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('charts: soft links on a log scale, marker kinds toggled, an event row moves the slider and marks the charts', async () => {
    const { page } = lab;
    await lab.open(`#/runs/${normal.id}`);
    await page.getByTestId('links-chart').waitFor();
    expect(await page.getByTestId('links-log').isChecked()).toBe(true);
    const cut = page.locator('[data-testid="event-log"] tr[data-kind="cut"]').last();
    await cut.waitFor();
    const step = Number(await cut.getAttribute('data-step'));
    await cut.click();
    await expect.poll(async () => page.getByTestId('chart-focus').getAttribute('data-step')).toBe(String(step));
    const snaps = await lab.api<{ id: number; step: number }[]>('runs.snapshots', { id: normal.id });
    const expected = snaps.filter((s) => s.step <= step).at(-1)!;
    await expect
      .poll(async () => page.getByTestId('snapshot-info').getAttribute('data-snapshot-id'), { timeout: 10_000 })
      .toBe(String(expected.id));
    // the step axis shows whole numbers only
    const ticks = await page
      .locator('[data-testid="links-chart"] .u-axis')
      .first()
      .evaluate((el) => el.textContent ?? '');
    expect(ticks).not.toMatch(/\d\.\d/);
    await page.getByTestId('marker-accept').uncheck();
    expect(await page.getByTestId('marker-accept').isChecked()).toBe(false);
    await lab.screenshot('truth-run-charts');
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('New run: plain-word messages, warnings for unlikely values, a partial JSON merged over the defaults, Start in reach', async () => {
    const { page } = lab;
    await lab.open('#/new');
    const seed = page.getByTestId('field-seed');
    await seed.waitFor();
    // the Start button is on screen without scrolling (a sticky bar)
    const box = (await page.getByTestId('start-run').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    await seed.fill('1.5');
    await expect.poll(async () => page.getByTestId('error-seed').textContent()).toBe('must be a whole number');
    await seed.fill('7');
    await page.getByTestId('field-optimizer.lr').fill('2');
    await expect.poll(async () => page.getByTestId('warnings').textContent()).toContain('learning rate 2 is above 1');
    expect(await page.getByTestId('start-run').isEnabled()).toBe(true);
    await lab.screenshot('truth-new-run-warnings');
    await page.getByText('Advanced: the whole schedule as JSON').click();
    await page.getByTestId('schedule-json').fill('{"version":1,"seed":9}');
    await expect.poll(async () => page.getByTestId('field-seed').inputValue()).toBe('9');
    expect(Number(await page.getByTestId('field-optimizer.lr').inputValue())).toBeGreaterThan(0);
    expect(await page.getByTestId('problem-count').count()).toBe(0);
    expect(await page.getByTestId('start-run').isEnabled()).toBe(true);
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('Compare: the verdict row, and the failed run is never highlighted as best', async () => {
    const { page } = lab;
    await lab.open(`#/compare/${normal.id},${noInput.id}`);
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    await page.getByTestId(`compare-verdict-${noInput.id}`).waitFor();
    expect(await page.getByTestId(`compare-verdict-${noInput.id}`).getAttribute('data-verdict')).toBe('failed');
    // the failed run is the second column: no figure row marks its cell best
    const bestInFailed = await table
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.filter((r) => r.querySelectorAll('td')[1]?.classList.contains('best')).map((r) => r.getAttribute('data-row')),
      );
    expect(bestInFailed).toEqual([]);
    // it has fewer soft links than the other, which would have made it "best" by size
    expect(await page.getByTestId('compare-table').locator('tr[data-row="soft links"] td').nth(1).textContent()).not.toBe('');
    await lab.screenshot('truth-compare-verdict');
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('a live run: its estimate is for the phase it is in; at the end the header shows the stored final figures', async () => {
    const { page } = lab;
    const run = await lab.api<Run>('runs.start', {
      name: 'live',
      schedule: { ...longSchedule(9, 3000), stop: { stepBudget: 4000, targetLinks: 8 } },
    });
    await lab.open(`#/runs/${run.id}`);
    const eta = page.getByTestId('progress-eta');
    await expect
      .poll(async () => (await eta.count()) > 0 && (await eta.textContent()), { timeout: 60_000 })
      .toMatch(/the end of the dense phase/);
    expect(await page.getByTestId('progress-steps').textContent()).toMatch(/^step [\d,]+ of at most [\d,]+ \([\d.]+ %\)$/);
    await lab.screenshot('truth-run-live-eta');
    const ended = await waitForRunEnd(lab, run.id, 180_000);
    const stored = await lab.api<Run>('runs.get', { id: run.id });
    await expect.poll(async () => page.getByTestId('detail-status').getAttribute('data-status'), { timeout: 20_000 }).toBe(ended.status);
    await expect
      .poll(async () => Number(await page.getByTestId('progress-loss').getAttribute('data-loss')), { timeout: 20_000 })
      .toBe(stored.finalLoss);
    expect(await page.getByTestId('progress-eta').count()).toBe(0);
    expect(stored.steps).toBeLessThanOrEqual(stored.stepBudget);
    await lab.screenshot('truth-run-ended-live');
    expect(lab.pageErrors).toEqual([]);
  }, 240_000);
});
