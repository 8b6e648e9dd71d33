/**
 * The New-run form end to end, in Debian's Chromium against the real browser host (fresh
 * database, real run processes): fill a small schedule, see a bad value refused next to
 * its field with Start disabled, fix it, start, land on the run's page and see the run
 * complete; save a hyperparameter set; re-run with changes; a refused request reads as a
 * message; and a page opened without the session token says it is not connected.
 * Screenshots: test-results/screenshots/new-run-*.png.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli';
import { describeE2E, optionalText, startE2ELab, waitForRunEnd, type E2ELab } from '../helpers/browser';

let lab: E2ELab;

describeE2E('New run form (Chromium, browser host)', () => {
  beforeAll(async () => {
    lab = await startE2ELab();
  }, 120_000);

  afterAll(async () => {
    await lab?.close();
  });

  const field = (path: string) => lab.page.getByTestId(`field-${path}`);
  const error = (path: string) => lab.page.getByTestId(`error-${path}`);
  const startButton = () => lab.page.getByTestId('start-run');

  let runId = 0;

  it('starts a small run from the form and sees it complete', async () => {
    const { page } = lab;
    await lab.open();
    await page.getByRole('link', { name: 'New run' }).click();
    await page.getByTestId('new-run-form').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="start-run"]')?.hasAttribute('disabled'));

    await field('name').fill('e2e small');
    await field('tags').fill('e2e');
    await field('seed').fill('3');
    // a tiny generated machine
    await page.getByTestId('start-generate').check();
    await field('start.architecture.layers').fill('2');
    await field('start.architecture.copies').fill('1');
    await field('start.architecture.scale').fill('0.1');
    // one short training string
    for (let i = 4; i >= 1; i--) await page.getByTestId(`remove-training.strings.${i}`).click();
    await field('training.strings.0.text').fill('abca.');
    await field('training.strings.0.cycles').fill('40');
    // small budgets
    await field('dense.steps').fill('100');
    await field('dense.until').fill('0');
    await field('stop.stepBudget').fill('500');
    await field('stop.targetLinks').fill('8');
    await field('polish.steps').fill('20');
    await field('regrow.max').fill('0');
    await field('restarts.max').fill('0');
    // the held-out test suite through the advanced JSON editor
    await page.getByText('Advanced: the whole schedule as JSON').click();
    const json = page.getByTestId('schedule-json');
    const schedule = JSON.parse(await json.inputValue()) as Record<string, unknown>;
    expect(schedule['seed']).toBe(3);
    expect(schedule['training']).toEqual({ strings: [{ text: 'abca.', cycles: 40 }] });
    await json.fill(JSON.stringify({ ...schedule, testSuite: [{ text: 'ab.', cycles: 30 }] }, null, 2));
    await expect.poll(() => field('testSuite.0.text').inputValue()).toBe('ab.');
    await expect.poll(() => page.getByTestId('field-testSuite.1.text').count()).toBe(0);

    // a bad value: refused next to its field, Start disabled, Ctrl+Enter sends nothing
    await field('optimizer.lr').fill('-1');
    await expect.poll(() => error('optimizer.lr').textContent()).toContain('must be > 0');
    expect(await startButton().isDisabled()).toBe(true);
    await field('optimizer.lr').press('Control+Enter');
    await field('optimizer.lr').fill('abc');
    await expect.poll(() => error('optimizer.lr').textContent()).toContain('must be a number');
    await field('stop.stepBudget').fill('0');
    await expect.poll(() => error('stop.stepBudget').count()).toBe(1);
    await lab.screenshot('new-run-invalid');
    expect((await lab.api<{ total: number }>('runs.list')).total).toBe(0);

    // fixed
    await field('stop.stepBudget').fill('500');
    await field('optimizer.lr').fill('0.02');
    await expect.poll(() => error('optimizer.lr').count()).toBe(0);
    await expect.poll(() => startButton().isDisabled()).toBe(false);
    await lab.screenshot('new-run-form');

    expect(lab.pageErrors).toEqual([]); // the form itself (the run's page is another screen)
    await startButton().click();
    await page.waitForFunction(() => /^#\/runs\/\d+$/.test(location.hash), null, { timeout: 15_000 });
    runId = Number(new URL(page.url()).hash.split('/')[2]);
    expect(runId).toBeGreaterThan(0);

    const started = await lab.api<{ name: string; tags: string[]; schedule: Record<string, any> }>('runs.get', { id: runId });
    expect(started.name).toBe('e2e small');
    expect(started.tags).toEqual(['e2e']);
    expect(started.schedule['seed']).toBe(3);
    expect(started.schedule['start']).toMatchObject({ kind: 'generate', architecture: { layers: 2, copies: 1, scale: 0.1 } });
    expect(started.schedule['optimizer'].lr).toBe(0.02);
    expect(started.schedule['testSuite']).toEqual([{ text: 'ab.', cycles: 30 }]);

    // the run's page: the detail screen's status when it has one, the API in any case
    const run = await waitForRunEnd(lab, runId, 45_000);
    expect(run.status, run.statusReason).toBe('completed');
    const shown = await optionalText(page, 'detail-status', 3_000);
    if (shown !== undefined) {
      await page.waitForFunction(
        () => document.querySelector('[data-testid="detail-status"]')?.textContent?.includes('completed') === true,
        null,
        { timeout: 10_000 },
      );
    }
    await lab.screenshot('new-run-landed');
    // the run's page is another screen's (its own tests assert on it): only reported here
    if (lab.pageErrors.length) process.stderr.write(`errors on the run's page after starting:\n${lab.pageErrors.join('\n')}\n`);
    lab.pageErrors.length = 0;
  }, 60_000);

  it('saves the edited hyperparameters as a named set', async () => {
    const { page } = lab;
    await lab.open('#/new');
    await page.getByTestId('new-run-form').waitFor();
    // the form has loaded the problem's defaults (a value typed before that is replaced by them)
    await page.waitForFunction(() => !document.querySelector('[data-testid="start-run"]')?.hasAttribute('disabled'));
    await field('optimizer.lr').fill('0.05');
    await field('hyperSetName').fill('e2e fast lr');
    await page.getByTestId('save-hyperset').click();
    await page.getByTestId('save-hyperset-done').waitFor();
    const sets = await lab.api<{ name: string; schedule: Record<string, any> }[]>('hyperSets.list');
    const set = sets.find((s) => s.name === 'e2e fast lr');
    expect(set?.schedule['optimizer'].lr).toBe(0.05);
    expect(set?.schedule['seed']).toBeUndefined();
    expect(set?.schedule['start']).toBeUndefined();
    expect(await field('hyperSet').inputValue()).not.toBe('');
  });

  it('re-runs a run with changes: the form starts as that run was', async () => {
    expect(runId).toBeGreaterThan(0);
    const { page } = lab;
    await lab.open(`#/new?from=${runId}`);
    await page.getByTestId('new-run-form').waitFor();
    await expect.poll(() => field('stop.stepBudget').inputValue()).toBe('500');
    expect(await field('seed').inputValue()).toBe('3');
    expect(await field('start.architecture.layers').inputValue()).toBe('2');
    expect(await field('name').inputValue()).toBe('e2e small (re-run)');
    await field('seed').fill('4');
    await field('stop.stepBudget').fill('50');
    await field('stop.stepBudget').press('Control+Enter');
    await page.waitForFunction((prev) => /^#\/runs\/\d+$/.test(location.hash) && location.hash !== `#/runs/${prev}`, runId, {
      timeout: 15_000,
    });
    const id = Number(new URL(page.url()).hash.split('/')[2]);
    const rerun = await lab.api<{ name: string; seed: number; schedule: Record<string, any> }>('runs.get', { id });
    expect(rerun.name).toBe('e2e small (re-run)');
    expect(rerun.seed).toBe(4);
    expect(rerun.schedule['stop'].stepBudget).toBe(50);
    expect(rerun.schedule['training']).toEqual({ strings: [{ text: 'abca.', cycles: 40 }] });
    await waitForRunEnd(lab, id, 30_000);
  }, 45_000);

  it('starts from a snapshot of that run (runs.resumeFrom): the form takes the run’s hyperparameters', async () => {
    expect(runId).toBeGreaterThan(0);
    const { page } = lab;
    await lab.open('#/new');
    await page.getByTestId('new-run-form').waitFor();
    await page.getByTestId('start-snapshot').check();
    await expect.poll(() => page.getByTestId('error-snapshotId').count()).toBe(1);
    expect(await startButton().isDisabled()).toBe(true);
    await field('snapshotRun').selectOption(String(runId));
    await expect.poll(() => field('snapshotId').inputValue()).not.toBe('');
    await expect.poll(() => field('stop.stepBudget').inputValue()).toBe('500');
    const snapshotId = Number(await field('snapshotId').inputValue());
    await field('stop.stepBudget').fill('60');
    await field('name').fill('e2e from snapshot');
    await expect.poll(() => startButton().isDisabled()).toBe(false);
    await lab.screenshot('new-run-from-snapshot');
    await startButton().click();
    await page.waitForFunction((prev) => /^#\/runs\/\d+$/.test(location.hash) && location.hash !== `#/runs/${prev}`, runId, {
      timeout: 15_000,
    });
    const id = Number(new URL(page.url()).hash.split('/')[2]);
    const child = await lab.api<{ name: string; parentRunId: number; parentSnapshotId: number; schedule: Record<string, any> }>(
      'runs.get',
      { id },
    );
    expect(child.name).toBe('e2e from snapshot');
    expect(child.parentRunId).toBe(runId);
    expect(child.parentSnapshotId).toBe(snapshotId);
    expect(child.schedule['stop'].stepBudget).toBe(60);
    expect(child.schedule['start']).toMatchObject({ kind: 'generate', architecture: { layers: 2, copies: 1 } });
    await waitForRunEnd(lab, id, 30_000);
  }, 45_000);

  it('reads a matrix file, showing why a bad one is refused', async () => {
    const { page } = lab;
    await lab.open('#/new');
    await page.getByTestId('new-run-form').waitFor();
    await page.getByTestId('start-matrix').check();
    await expect.poll(() => error('start.matrix').textContent()).toContain('choose a matrix file');
    expect(await startButton().isDisabled()).toBe(true);
    const file = field('start.matrix');
    await file.setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"output": {"dict-1": {"bogus-1-1": {"x": 1}}}}'),
    });
    await expect.poll(() => error('start.matrix').textContent()).toMatch(/bogus-1-1/);
    expect(await startButton().isDisabled()).toBe(true);
    await file.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"output": {"dict-1": ') });
    await expect.poll(() => error('start.matrix').textContent()).toMatch(/broken\.json/);
    await lab.screenshot('new-run-matrix-error');
    await file.setInputFiles(join(ROOT, 'resources/circuits/julia-dmm-lite/sparse16-after-2500-steps-matrix.json'));
    await expect.poll(() => page.getByTestId('matrix-loaded').textContent()).toMatch(/sparse16-after-2500-steps-matrix: \d+ soft links/);
    await expect.poll(() => error('start.matrix').count()).toBe(0);
    await expect.poll(() => startButton().isDisabled()).toBe(false);
    const json = JSON.parse(await page.getByTestId('schedule-json').inputValue()) as { start: { kind: string; name: string } };
    expect(json.start).toMatchObject({ kind: 'matrix', name: 'sparse16-after-2500-steps-matrix' });
  });

  it('shows a refused request as a readable message', async () => {
    const { page } = lab;
    await page.route('**/api/runs.start', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          ok: false,
          error: { code: 'bad-request', message: 'invalid schedule: optimizer.lr: must be > 0; stop.stepBudget: too small' },
        }),
      }),
    );
    try {
      await lab.open('#/new');
      await page.getByTestId('new-run-form').waitFor();
      await page.waitForFunction(() => !document.querySelector('[data-testid="start-run"]')?.hasAttribute('disabled'));
      await startButton().click();
      const alert = page.getByTestId('server-error');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      expect(text).toContain('The lab refused the run');
      expect(text).toContain('optimizer.lr: must be > 0');
      expect(text).toContain('stop.stepBudget: too small');
      expect(page.url()).toContain('#/new');
      await lab.screenshot('new-run-server-error');
    } finally {
      await page.unroute('**/api/runs.start');
    }
  });

  it('says "not connected" on a page opened without the token, not a blank screen', async () => {
    const context = await lab.browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${lab.host.base}/#/new`);
      await page.getByText('Not connected to a lab').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('new-run-form').count()).toBe(0);
      await lab.screenshot('not-connected', page);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
