/**
 * Sweeps end to end, in Debian's Chromium against the real browser host (fresh database,
 * real run processes): the New-run form in Sweep mode with a tiny schedule — an axis on a
 * field the schedule does not have and a value it refuses are each shown beside their row,
 * naming the field, with Start disabled and nothing created; a 3-run sweep over seed shows
 * "3 runs" before it starts; its page then shows the 3 points with their final figures, the
 * success rate the lab computes, and the scatter plot; the run browser's Sweep column names
 * the sweep, and `sweep = N` filters its runs.
 * Screenshots: test-results/screenshots/sweep-*.png.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, startE2ELab, type E2ELab } from '../helpers/browser';

let lab: E2ELab;

interface SweepDetail {
  id: number;
  runs: number;
  finished: number;
  passed: number;
  successRate: number | null;
  points: { index: number; point: Record<string, unknown>; run: { id: number; status: string; seed: number; softLinks: number | null } }[];
}

const FINAL = ['completed', 'failed', 'stopped', 'interrupted'];

describeE2E('Sweeps (Chromium, browser host)', () => {
  beforeAll(async () => {
    lab = await startE2ELab({ hostArgs: ['--concurrency', '2'] });
  }, 120_000);

  afterAll(async () => {
    await lab?.close();
  });

  const field = (path: string) => lab.page.getByTestId(`field-${path}`);
  const startButton = () => lab.page.getByTestId('start-run');

  it('creates a 3-run sweep over seed from the form and shows its points, success rate and plot', async () => {
    const { page } = lab;
    await lab.open('#/new');
    await page.getByTestId('new-run-form').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="start-run"]')?.hasAttribute('disabled'));

    await field('name').fill('e2e sweep');
    // a tiny schedule (as the New-run test's)
    await page.getByTestId('start-generate').check();
    await field('start.architecture.layers').fill('2');
    await field('start.architecture.copies').fill('1');
    await field('start.architecture.scale').fill('0.1');
    for (let i = 4; i >= 1; i--) await page.getByTestId(`remove-training.strings.${i}`).click();
    await field('training.strings.0.text').fill('abca.');
    await field('training.strings.0.cycles').fill('40');
    await field('dense.steps').fill('100');
    await field('dense.until').fill('0');
    await field('stop.stepBudget').fill('400');
    await field('stop.targetLinks').fill('8');
    await field('polish.steps').fill('20');
    await field('regrow.max').fill('0');
    await field('restarts.max').fill('0');

    await page.getByTestId('mode-sweep').check();
    await page.getByTestId('sweep-section').waitFor();
    const path0 = page.getByTestId('sweep-path-0');
    const values0 = page.getByTestId('sweep-values-0');
    const rowError = page.getByTestId('error-axes.0');

    // a field the schedule does not have: refused naming it, nothing can start
    await path0.fill('optimizer.nope');
    await expect.poll(() => rowError.textContent()).toContain('optimizer.nope is not a field of this schedule');
    expect(await startButton().isDisabled()).toBe(true);
    // a value the schedule refuses
    await path0.fill('optimizer.lr');
    await values0.fill('0.01,-1');
    await expect.poll(() => rowError.textContent()).toMatch(/optimizer\.lr = -1 is refused/);
    expect(await startButton().isDisabled()).toBe(true);
    // concurrency 0
    await page.getByTestId('sweep-concurrency').fill('0');
    await expect.poll(() => page.getByTestId('error-concurrency').textContent()).toContain('concurrency must be at least 1');
    await lab.screenshot('sweep-form-refused');
    expect(await lab.api<unknown[]>('sweeps.list')).toEqual([]);

    // fixed: seeds 1 to 3, two at a time
    await path0.fill('seed');
    await values0.fill('1-3');
    await page.getByTestId('sweep-concurrency').fill('2');
    await expect.poll(() => rowError.count()).toBe(0);
    await expect.poll(() => page.getByTestId('sweep-count').textContent()).toContain('3 runs');
    await expect.poll(() => startButton().isDisabled()).toBe(false);
    expect(await startButton().textContent()).toContain('Start sweep (3 runs)');
    await lab.screenshot('sweep-form');
    expect(lab.pageErrors).toEqual([]);

    await startButton().click();
    await page.waitForFunction(() => /^#\/sweeps\/\d+$/.test(location.hash), null, { timeout: 15_000 });
    const sweepId = Number(new URL(page.url()).hash.split('/')[2]);
    await page.getByTestId('sweep-page').waitFor();

    // every run of the sweep ends (real processes)
    let detail: SweepDetail | undefined;
    for (let t0 = Date.now(); ;) {
      detail = await lab.api<SweepDetail>('sweeps.get', { id: sweepId });
      if (detail.points.every((p) => FINAL.includes(p.run.status))) break;
      if (Date.now() - t0 > 90_000)
        throw new Error(`sweep ${sweepId} runs still going: ${detail.points.map((p) => p.run.status).join(', ')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(detail.runs).toBe(3);
    expect(detail.points.map((p) => p.point)).toEqual([{ seed: 1 }, { seed: 2 }, { seed: 3 }]);
    expect(detail.points.map((p) => p.run.seed)).toEqual([1, 2, 3]);
    for (const p of detail.points) expect(p.run.status).toBe('completed');

    // the page: 3 points, each with its run's final figures
    await expect.poll(() => page.getByTestId('sweep-point').count()).toBe(3);
    await expect
      .poll(async () => (await page.getByTestId('sweep-point').allTextContents()).every((t) => t.includes('completed')), {
        timeout: 10_000,
      })
      .toBe(true);
    const rows = await page.getByTestId('sweep-point').allTextContents();
    detail.points.forEach((p, i) => {
      expect(rows[i]).toContain(`#${p.run.id}`);
      expect(rows[i]).toContain(String(p.run.softLinks));
    });
    // the success rate the lab computed, in words
    const rate = Math.round((detail.successRate ?? 0) * 100);
    await expect
      .poll(() => page.getByTestId('sweep-success').textContent())
      .toContain(`${detail.passed} of ${detail.finished} finished runs passed (${rate} %)`);
    expect(detail.finished).toBe(3);
    // the plot: seed against soft links, 3 points on uPlot's canvas
    await page.getByTestId('sweep-plot-figure').selectOption('softLinks');
    await expect.poll(() => page.getByTestId('sweep-plot-count').textContent()).toContain('3 of 3 points plotted');
    expect(await page.locator('[data-testid="sweep-plot"] canvas').count()).toBeGreaterThan(0);
    await lab.screenshot('sweep-page');
    expect(lab.pageErrors).toEqual([]);

    // the run browser: the Sweep column names it; `sweep = N` keeps its runs
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByTestId('filter-input').fill(`sweep = ${sweepId}`);
    await expect.poll(() => page.getByText(`#${sweepId} e2e sweep`).count(), { timeout: 10_000 }).toBe(3);
    await lab.screenshot('sweep-runs');
    expect(lab.pageErrors).toEqual([]);
  }, 150_000);

  it('Settings → Cluster: the password is saved and never shown back', async () => {
    const { page } = lab;
    const secret = 'e2e-Secret-pw-9';
    await lab.open('#/settings');
    await page.getByTestId('cluster-settings').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="cluster-save"]')?.hasAttribute('disabled'));
    // a URL carrying credentials is refused naming the field
    await page.getByTestId('cluster-url').fill(`redis://lab:${secret}@lab-redis:6379`);
    await page.getByTestId('cluster-save').click();
    await expect.poll(() => page.getByTestId('cluster-error').textContent()).toMatch(/url: must look like redis:\/\/host:6379/);
    await page.getByTestId('cluster-url').fill('redis://lab-redis:6379');
    await page.getByTestId('cluster-user').fill('lab');
    await page.getByTestId('cluster-password').fill(secret);
    await page.getByTestId('cluster-save').click();
    await page.getByTestId('cluster-saved').waitFor();
    expect(await page.getByTestId('cluster-password').inputValue()).toBe('');
    expect(await page.getByTestId('cluster-password').getAttribute('placeholder')).toContain('a password is stored');
    await lab.open('#/settings');
    await expect.poll(() => page.getByTestId('cluster-url').inputValue()).toBe('redis://lab-redis:6379');
    expect(await page.content()).not.toContain(secret);
    expect(JSON.stringify(await lab.api('settings.cluster'))).not.toContain(secret);
    await lab.screenshot('settings-cluster');
    // the refused save above answers 400 on purpose (Chromium logs it); nothing else may fail
    expect(lab.pageErrors.filter((e) => !/status of 400 .*\/api\/settings\.saveCluster/.test(e))).toEqual([]);
  }, 60_000);
});
