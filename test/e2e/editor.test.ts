/**
 * The graph editor end to end, in Chromium against the browser host: generate the
 * hand-crafted detector, change a weight in the inspector, undo and redo, save it twice
 * (versions increase), reload the library entry. Screenshot: test-results/screenshots/editor.png.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, startE2ELab, type E2ELab } from '../helpers/browser';

let lab: E2ELab;

describeE2E('Graph editor (Chromium, browser host)', () => {
  beforeAll(async () => {
    lab = await startE2ELab();
  }, 180_000);

  afterAll(async () => {
    await lab?.close();
  });

  it('generate, edit a weight, undo, redo, save, reload', async () => {
    const { page } = lab;
    await lab.open('#/editor');
    await page.getByTestId('editor-canvas').waitFor();
    for (const t of ['input', 'accum', 'output']) await page.getByTestId(`palette-${t}`).waitFor();
    const counts = page.getByTestId('editor-counts');

    await page.getByTestId('generate-toggle').click();
    await page.getByTestId('generate-handcrafted').click();
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('9');
    await expect.poll(async () => counts.getAttribute('data-links')).toBe('11');
    await page.getByTestId('validation-list').waitFor();

    // select the dot neuron by search, then one of its soft links from the inspector
    const pickLink = async () => {
      await page.locator('body').press('/');
      await page.getByTestId('neuron-search').fill('dot');
      await page.getByTestId('neuron-search').press('Enter');
      await expect.poll(async () => page.getByTestId('neuron-name').inputValue()).toBe('dot');
      await page.locator('[data-testid="inspector-link"][data-soft="true"]').first().click();
      await page.getByTestId('weight-input').waitFor();
    };
    await pickLink();
    const weight = page.getByTestId('weight-input');
    const original = await weight.inputValue();
    expect(Number(original)).not.toBe(0.75);

    await weight.fill('nope');
    await weight.press('Enter');
    await page.getByTestId('weight-error').waitFor();
    await weight.fill('0.75');
    await weight.press('Enter');
    await expect.poll(async () => weight.inputValue()).toBe('0.75');

    await page.getByTestId('undo').click();
    await expect.poll(async () => weight.inputValue()).toBe(original);
    await page.getByTestId('redo').click();
    await expect.poll(async () => weight.inputValue()).toBe('0.75');
    // keyboard undo/redo with the focus outside the inputs
    await page.getByTestId('inspector').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Control+z');
    await expect.poll(async () => weight.inputValue()).toBe(original);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => weight.inputValue()).toBe('0.75');

    await page.getByTestId('architecture-name').fill('e2e detector');
    await page.getByTestId('save-architecture').click();
    await expect.poll(async () => page.getByTestId('editor-message').textContent()).toMatch(/v1/);
    await page.getByTestId('save-architecture').click();
    await expect.poll(async () => page.getByTestId('editor-message').textContent()).toMatch(/v2/);
    const list = await lab.api<Array<{ id: number; name: string; version: number; softLinks: number }>>('architectures.list');
    const saved = list.find((a) => a.name === 'e2e detector' && a.version === 2);
    expect(saved?.softLinks).toBe(8);
    if (!saved) throw new Error('not saved');

    await lab.open(`#/editor?id=${saved.id}`);
    await expect.poll(async () => counts.getAttribute('data-neurons'), { timeout: 15_000 }).toBe('9');
    await expect.poll(async () => counts.getAttribute('data-links')).toBe('11');
    await expect.poll(async () => page.getByTestId('architecture-name').inputValue()).toBe('e2e detector');
    await pickLink();
    await expect.poll(async () => page.getByTestId('weight-input').inputValue()).toBe('0.75');
    await expect(page.getByTestId('undo').isDisabled()).resolves.toBe(true);

    await page.getByTestId('fit').click();
    await new Promise((r) => setTimeout(r, 300));
    await lab.screenshot('editor');
    expect(lab.pageErrors).toEqual([]);
  }, 120_000);

  it('New asks before dropping unsaved work, then starts an empty document', async () => {
    const { page } = lab;
    await lab.open('#/editor?generate=handcrafted');
    const counts = page.getByTestId('editor-counts');
    await expect.poll(async () => counts.getAttribute('data-neurons'), { timeout: 15_000 }).toBe('9');
    const answers: boolean[] = [false, true];
    const asked: string[] = [];
    const onDialog = (d: import('playwright-core').Dialog) => {
      asked.push(d.message());
      void (answers.shift() ? d.accept() : d.dismiss());
    };
    page.on('dialog', onDialog);
    try {
      await page.getByTestId('new-document').click(); // dismissed: the document stays
      await expect.poll(() => asked.length).toBe(1);
      expect(asked[0]).toMatch(/unsaved/);
      expect(await counts.getAttribute('data-neurons')).toBe('9');
      await page.getByTestId('new-document').click(); // accepted: empty
      await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('0');
      expect(await counts.getAttribute('data-links')).toBe('0');
      await expect(page.getByTestId('undo').isDisabled()).resolves.toBe(true);
    } finally {
      page.off('dialog', onDialog);
    }
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);
});
