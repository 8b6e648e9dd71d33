/**
 * The lab's screens end to end, in Debian's Chromium against the real browser host (fresh
 * database, real run processes): a live run's progress moves, and it pauses, resumes and
 * stops from its page; a finished run's snapshot slider is dragged and the circuit follows;
 * two runs are compared; the run browser filters, deletes to the trash and restores.
 * Screenshots: test-results/screenshots/screen-*.png.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, startE2ELab, waitForRunEnd, type E2ELab } from '../helpers/browser';
import { longSchedule, shortSchedule } from '../helpers/lab';

let lab: E2ELab;
type Run = { id: number; status: string; name: string };
const done: Run[] = [];

describeE2E('Lab screens (Chromium, browser host)', () => {
  beforeAll(async () => {
    lab = await startE2ELab({ hostArgs: ['--concurrency', '2'] });
    for (const [seed, name] of [
      [5, 'alpha short'],
      [6, 'beta short'],
    ] as const) {
      done.push(await lab.api<Run>('runs.start', { name, schedule: shortSchedule(seed), tags: ['e2e'] }));
    }
    for (const r of done) await waitForRunEnd(lab, r.id, 60_000);
  }, 180_000);

  afterAll(async () => {
    await lab?.close();
  });

  const attr = async (testId: string, name: string) => lab.page.getByTestId(testId).first().getAttribute(name);

  it('a live run: progress moves; pause, resume and stop from its page', async () => {
    const { page } = lab;
    const run = await lab.api<Run>('runs.start', { name: 'gamma live', schedule: longSchedule(7, 100_000) });
    await lab.open(`#/runs/${run.id}`);
    const status = page.getByTestId('detail-status');
    await expect.poll(async () => status.getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    const step = async () => Number(await attr('detail-progress', 'data-step'));
    const s0 = await step();
    await expect.poll(step, { timeout: 20_000 }).toBeGreaterThan(s0 + 50);
    await page.getByTestId('loss-chart').waitFor();
    await lab.screenshot('screen-detail-live');

    await page.getByTestId('control-pause').click();
    await expect.poll(async () => status.getAttribute('data-status'), { timeout: 20_000 }).toBe('paused');
    const held = (await lab.api<{ steps: number }>('runs.get', { id: run.id })).steps;
    // nothing to poll for: a paused run must stay put over a while (0.7 s ≈ 70 steps of this run)
    await new Promise((r) => setTimeout(r, 700));
    expect((await lab.api<{ steps: number }>('runs.get', { id: run.id })).steps).toBe(held);
    await page.getByTestId('control-resume').click();
    await expect.poll(async () => status.getAttribute('data-status'), { timeout: 20_000 }).toBe('running');
    await page.getByTestId('control-stop').click();
    await expect.poll(async () => status.getAttribute('data-status'), { timeout: 20_000 }).toBe('stopped');
    expect(lab.pageErrors).toEqual([]);
  }, 90_000);

  it('a finished run: dragging the snapshot slider shows the circuit at that moment', async () => {
    const { page } = lab;
    const run = done[0] as Run;
    const snaps = await lab.api<{ id: number }[]>('runs.snapshots', { id: run.id });
    expect(snaps.length).toBeGreaterThan(2);
    await lab.open(`#/runs/${run.id}`);
    const slider = page.getByTestId('snapshot-slider');
    await slider.waitFor();
    await page.getByTestId('snapshot-graph').waitFor();
    const before = await attr('snapshot-info', 'data-snapshot-id');
    // drag the thumb from one end to the other (in view: panels above it can push it below the fold)
    await slider.scrollIntoViewIfNeeded();
    const box = (await slider.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width - 2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, y, { steps: 5 });
    await page.mouse.move(box.x + 2, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => attr('snapshot-info', 'data-snapshot-id'), { timeout: 10_000 }).not.toBe(before);
    const shown = Number(await attr('snapshot-info', 'data-snapshot-id'));
    expect(snaps.map((s) => s.id)).toContain(shown);
    await lab.screenshot('screen-detail-snapshot');
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('the run browser: filter the table, delete to the trash, restore', async () => {
    const { page } = lab;
    const [alpha, beta] = done as [Run, Run];
    await lab.open('#/runs');
    await page.getByTestId(`run-row-${alpha.id}`).waitFor();
    await page.getByTestId(`run-row-${beta.id}`).waitFor();
    await page.getByTestId('reference-row').waitFor();
    await lab.screenshot('screen-runs');

    // free text and a numeric condition in the one filter box
    const filter = page.getByTestId('filter-input');
    await filter.fill('alpha');
    await filter.press('Enter');
    await expect.poll(async () => page.getByTestId(`run-row-${beta.id}`).count(), { timeout: 10_000 }).toBe(0);
    await expect(page.getByTestId(`run-row-${alpha.id}`).count()).resolves.toBe(1);
    await filter.fill('softLinks <= ');
    await filter.press('Enter');
    await page.getByTestId('filter-error').waitFor(); // an incomplete condition is refused in place, never sent
    await filter.fill('');
    await filter.press('Enter');
    await page.getByTestId(`run-row-${beta.id}`).waitFor();

    // delete beta to the trash, find it there, restore it
    await page.getByTestId(`run-row-${beta.id}`).click();
    await page.getByTestId('trash-selected').click();
    await expect.poll(async () => page.getByTestId(`run-row-${beta.id}`).count(), { timeout: 10_000 }).toBe(0);
    expect((await lab.api<{ deletedAt: number | null }>('runs.get', { id: beta.id })).deletedAt).not.toBeNull();
    await page.getByTestId('show-trash').click();
    await page.getByTestId(`run-row-${beta.id}`).click();
    await lab.screenshot('screen-runs-trash');
    await page.getByTestId('restore-selected').click();
    await expect
      .poll(async () => (await lab.api<{ deletedAt: number | null }>('runs.get', { id: beta.id })).deletedAt, { timeout: 10_000 })
      .toBeNull();
    await page.getByTestId('show-trash').click();
    await page.getByTestId(`run-row-${beta.id}`).waitFor();
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('compares two runs: hyperparameters with differences only, overlaid curves', async () => {
    const { page } = lab;
    await lab.open(`#/compare/${done.map((r) => r.id).join(',')}`);
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    const toggle = page.getByTestId('diff-only-toggle');
    if (!(await toggle.isChecked())) await toggle.check();
    const diffRows = await table.locator('[data-path]').count();
    await toggle.uncheck();
    await expect.poll(async () => table.locator('[data-path]').count()).toBeGreaterThan(diffRows);
    // the seeds differ, so "differences only" keeps at least the seed
    await toggle.check();
    await expect.poll(async () => table.locator('[data-path="seed"]').count()).toBe(1);
    await page.getByTestId('compare-chart').waitFor();
    await lab.screenshot('screen-compare');
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);
});
