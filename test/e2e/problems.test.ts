/**
 * Problems end to end, in Debian's Chromium against the real browser host (fresh database,
 * real run processes): build a teacher in the editor (the hand-crafted detector without its
 * dot counter), "Use as teacher…" (name it, compare output.dict-1 only, see a field's issue
 * and the targets preview), save it, start a synthesis of it from the New-run form with a
 * small schedule, see the run complete, diff it against its own teacher (the behaviour
 * view names that teacher), and find the problem on the Problems screen and in the run
 * browser's Problem column and filter. Screenshots: test-results/screenshots/problems-*.png.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, startE2ELab, waitForRunEnd, type E2ELab } from '../helpers/browser';

let lab: E2ELab;

describeE2E('Problems: build a teacher, use it, synthesize, diff (Chromium, browser host)', () => {
  beforeAll(async () => {
    lab = await startE2ELab();
  }, 120_000);

  afterAll(async () => {
    await lab?.close();
  });

  let runId = 0;

  it('builds a teacher in the editor and stores it as a problem, with a live targets preview', async () => {
    const { page } = lab;
    await lab.open('#/editor');
    await page.getByTestId('editor-canvas').waitFor();
    const counts = page.getByTestId('editor-counts');
    await page.getByTestId('generate-toggle').click();
    await page.getByTestId('generate-handcrafted').click();
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('9');
    // the teacher: the detector without its dot counter (the neuron and its three links go)
    await page.locator('body').press('/');
    await page.getByTestId('neuron-search').fill('dot');
    await page.getByTestId('neuron-search').press('Enter');
    await expect.poll(async () => page.getByTestId('neuron-name').inputValue()).toBe('dot');
    await page.getByTestId('inspector').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Delete');
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('8');
    await expect.poll(async () => counts.getAttribute('data-links')).toBe('8');

    await page.getByTestId('use-as-teacher').click();
    await page.getByTestId('teacher-dialog').waitFor();
    // a name the schema refuses is named as such, and Save stays off
    await page.getByTestId('teacher-name').fill('Not A Name');
    await expect.poll(async () => page.getByTestId('teacher-issues').textContent()).toMatch(/name: must be lower-case/);
    expect(await page.getByTestId('teacher-save').isDisabled()).toBe(true);
    await page.getByTestId('teacher-name').fill('e2e-dups');
    await page.getByTestId('teacher-output-output.dict-2').uncheck();
    await page.getByTestId('teacher-training').fill('abca.\nhello.\naaaa');
    await page.getByTestId('teacher-validation').fill('kayak. | 80');
    await page.getByTestId('teacher-test').fill('mississippi.\nabcdefg');
    await expect.poll(async () => page.getByTestId('teacher-issues').count()).toBe(0);
    // the targets preview: output.dict-1 on the first training string (it steps to 1 at the second a)
    await expect.poll(async () => page.getByTestId('teacher-preview-0').getAttribute('data-series')).toBe('1');
    await lab.screenshot('problems-use-as-teacher');
    await page.getByTestId('teacher-save').click();
    await expect.poll(async () => page.getByTestId('teacher-saved').textContent()).toMatch(/Stored as e2e-dups v1/);
    const list = await lab.api<Array<{ id: string; version: number; teacherLinks: number; outputs: { port: string }[] }>>('problems.list');
    const mine = list.find((p) => p.id === 'e2e-dups');
    expect(mine).toMatchObject({ version: 1, teacherLinks: 5, outputs: [{ port: 'dict-1' }] });
    expect(lab.pageErrors).toEqual([]);
  }, 120_000);

  it('starts a synthesis of the new problem from the New-run form and sees it complete', async () => {
    const { page } = lab;
    await page.getByTestId('teacher-synthesize').click();
    await page.getByTestId('new-run-form').waitFor();
    const field = (path: string) => page.getByTestId(`field-${path}`);
    await expect.poll(async () => field('problem').inputValue()).toBe('e2e-dups');
    // the problem's defaults fill the form: its strings
    await expect.poll(async () => field('training.strings.0.text').inputValue()).toBe('abca.');
    await field('name').fill('e2e teacher run');
    await field('start.architecture.copies').fill('1');
    await field('dense.steps').fill('100');
    await field('dense.until').fill('0');
    await field('stop.stepBudget').fill('400');
    await field('polish.steps').fill('20');
    await field('regrow.max').fill('0');
    await field('restarts.max').fill('0');
    await page.waitForFunction(() => !document.querySelector('[data-testid="start-run"]')?.hasAttribute('disabled'));
    await page.getByTestId('start-run').click();
    await page.waitForFunction(() => /^#\/runs\/\d+$/.test(location.hash));
    runId = Number((await page.evaluate(() => location.hash)).split('/')[2]);
    const run = await waitForRunEnd(lab, runId, 120_000);
    expect(run.status).toBe('completed');
    const summary = await lab.api<{ problem: string; problemVersion: number }>('runs.get', { id: runId });
    expect([summary.problem, summary.problemVersion]).toEqual(['e2e-dups', 1]);
  }, 180_000);

  it("diffs the run against its own problem's teacher", async () => {
    const { page } = lab;
    await lab.open(`#/runs/${runId}`);
    const link = page.getByTestId('run-diff');
    await expect.poll(async () => link.textContent()).toBe('Diff vs teacher');
    await link.click();
    await page.waitForFunction(() => location.hash.includes('b=teacher'));
    await expect.poll(async () => page.locator('main').textContent(), { timeout: 20_000 }).toMatch(/the teacher of e2e-dups v1/);
    await page.getByTestId('diff-tab-behaviour').click();
    await expect
      .poll(async () => page.getByTestId('diff-behaviour-teacher').textContent())
      .toMatch(/what the teacher of e2e-dups computes/);
    // the problem's strings, one compared output (dict-1)
    await expect.poll(async () => page.locator('[data-testid="diff-error-table"] tbody tr').count()).toBe(3);
    await page.getByTestId('diff-chart-dict1').waitFor();
    expect(await page.getByTestId('diff-chart-dict2').count()).toBe(0);
    await lab.screenshot('problems-diff-behaviour');
    expect(lab.pageErrors).toEqual([]);
  }, 120_000);

  it('shows the problem on the Problems screen and in the run browser (column and filter)', async () => {
    const { page } = lab;
    await lab.open('#/problems/e2e-dups');
    await expect.poll(async () => page.getByTestId('problem-title').textContent()).toMatch(/e2e-dups/);
    await page.locator('[data-testid="problem-teacher"] svg').waitFor();
    await expect.poll(async () => page.getByTestId('target-plots-0').getAttribute('data-series')).toBe('1');
    await lab.screenshot('problems-screen');
    // a built-in problem with a tree output: one line per list path
    await lab.open('#/problems/last-three');
    await expect.poll(async () => page.getByTestId('problem-outputs').textContent()).toMatch(/output\.dict-1 as a tree/);
    await expect.poll(async () => Number(await page.getByTestId('target-plots-0').getAttribute('data-series'))).toBeGreaterThan(3);
    await lab.screenshot('problems-last-three');

    await lab.open('#/runs');
    await expect.poll(async () => page.locator('main').textContent()).toMatch(/e2e-dups v1/);
    await page.getByTestId('problem-filter').selectOption('e2e-dups');
    await expect.poll(async () => page.getByTestId('run-count').textContent()).toMatch(/^1 run/);
    await page.getByTestId('problem-filter').selectOption('duplicates');
    await expect.poll(async () => page.getByTestId('run-count').textContent()).toMatch(/^0 runs/);
    expect(lab.pageErrors).toEqual([]);
  }, 120_000);
});
