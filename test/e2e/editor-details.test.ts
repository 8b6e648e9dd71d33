/**
 * Editor details in Chromium against the browser host:
 *  - Evaluate by problem: the picker lists the stored problems, defaults to duplicates; the
 *    hand-crafted detector evaluates to zero there and to a clearly non-zero loss on
 *    last-three (its name, its compared tree output and its test strings shown).
 *    Screenshot: editor-evaluate-problem.png.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, editorCanvasSettled, startE2ELab, type E2ELab } from '../helpers/browser';
import type {} from '../../src-renderer/editor/canvas-hook';

let lab: E2ELab;

describeE2E('Editor details (Chromium, browser host)', () => {
  beforeAll(async () => {
    lab = await startE2ELab({ viewport: { width: 1400, height: 950 } });
  }, 180_000);

  afterAll(async () => {
    await lab?.close();
  });

  it('Evaluate judges against the picked problem: duplicates by default, last-three when picked', async () => {
    const { page } = lab;
    await lab.open('#/editor?generate=handcrafted');
    const counts = page.getByTestId('editor-counts');
    await expect.poll(async () => counts.getAttribute('data-neurons'), { timeout: 15_000 }).toBe('9');
    const picker = page.getByTestId('evaluation-problem');
    await expect.poll(async () => picker.inputValue()).toBe('duplicates');
    // every stored problem can be picked
    await expect.poll(async () => picker.locator('option').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(6);

    const total = page.getByTestId('evaluation-total');
    await page.getByTestId('evaluate').click();
    await expect.poll(async () => total.getAttribute('data-problem')).toBe('duplicates');
    expect(Number(await total.getAttribute('data-total'))).toBe(0);

    await picker.selectOption('last-three');
    // the old figures are marked as about another problem until evaluated again
    await expect.poll(async () => total.getAttribute('data-stale')).toBe('true');
    await page.getByTestId('evaluate').click();
    await expect.poll(async () => total.getAttribute('data-problem')).toBe('last-three');
    expect(await total.getAttribute('data-stale')).toBe('false');
    expect(Number(await total.getAttribute('data-total'))).toBeGreaterThan(1);
    expect(await page.getByTestId('evaluation-problem-name').textContent()).toBe('last-three');
    const stored = await lab.api<{ definition: { data: { test: { text: string }[] } } }>('problems.get', { id: 'last-three' });
    const shown = await page.locator('[data-testid="evaluation"] tbody td code').allTextContents();
    for (const s of stored.definition.data.test) expect(shown).toContain(JSON.stringify(s.text));
    expect(await page.getByTestId('evaluation').textContent()).toMatch(/\(tree\)/);
    await editorCanvasSettled(page);
    await lab.screenshot('editor-evaluate-problem');
  }, 90_000);
});
