/**
 * The graph editor end to end, in Chromium against the browser host: generate the
 * hand-crafted detector, change a weight in the inspector, undo and redo, save it twice
 * (versions increase), reload the library entry. Screenshot: test-results/screenshots/editor.png.
 * The session: the document and its undo history survive other screens; Load, ?id= and New ask
 * before replacing unsaved work; Evaluate's busy state; the beforeunload guard; no test hooks
 * in a page the tests did not mark.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, editorCanvasSettled, startE2ELab, type E2ELab } from '../helpers/browser';
import { documentToGraph } from '@shared/editor/document';
import { generateHandcrafted } from '@shared/editor/generators';
import type {} from '../../src-renderer/editor/canvas-hook';

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
    await editorCanvasSettled(page);
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

  it('keeps the document and its undo history across screens; Load and ?id= ask before replacing unsaved work', async () => {
    const { page } = lab;
    const saved = await lab.api<{ id: number }>('architectures.save', {
      name: 'e2e session entry',
      description: 'for the session test',
      graph: documentToGraph(generateHandcrafted()),
    });
    await lab.open('#/editor?generate=handcrafted');
    const counts = page.getByTestId('editor-counts');
    await expect.poll(async () => counts.getAttribute('data-neurons'), { timeout: 15_000 }).toBe('9');
    await page.getByTestId('palette-accum').click(); // an edit: accum-2
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('10');

    // to the run browser by the header link, and back by the Editor link: same document
    await page.locator('header nav a', { hasText: 'Runs' }).click();
    await page.getByTestId('run-browser').waitFor();
    await page.locator('header nav a', { hasText: 'Editor' }).click();
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('10');
    // back in history to #/editor?generate=handcrafted: not generated again, the edit is kept
    await page.locator('header nav a', { hasText: 'Runs' }).click();
    await page.getByTestId('run-browser').waitFor();
    for (const want of ['#/editor', '#/runs', '#/editor?generate=handcrafted']) {
      await page.evaluate(() => history.back());
      await expect.poll(() => page.evaluate(() => location.hash)).toBe(want);
    }
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('10');
    // the undo history came along: undo the edit, then the generation
    await page.getByTestId('undo').click();
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('9');
    await page.getByTestId('redo').click();
    await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('10');

    const asked: string[] = [];
    const answers: boolean[] = [];
    const onDialog = (d: import('playwright-core').Dialog) => {
      asked.push(`${d.type()}: ${d.message()}`);
      void (answers.shift() ? d.accept() : d.dismiss());
    };
    page.on('dialog', onDialog);
    try {
      // Load with unsaved work: dismissed, the document stays
      await page.getByTestId('library-select').selectOption(String(saved.id));
      answers.push(false);
      await page.getByTestId('load-architecture').click();
      await expect.poll(() => asked.length).toBe(1);
      expect(asked[0]).toMatch(/^confirm: .*unsaved/);
      expect(await counts.getAttribute('data-neurons')).toBe('10');
      // a route to a library entry: dismissed too, the document stays and says so
      answers.push(false);
      await page.evaluate((id) => (location.hash = `#/editor?id=${id}`), saved.id);
      await expect.poll(() => asked.length).toBe(2);
      await expect.poll(async () => page.getByTestId('editor-message').textContent()).toMatch(/kept the unsaved document/);
      expect(await counts.getAttribute('data-neurons')).toBe('10');
      // Load accepted: the entry replaces the document (a fresh history)
      answers.push(true);
      await page.getByTestId('load-architecture').click();
      await expect.poll(() => asked.length).toBe(3);
      await expect.poll(async () => page.getByTestId('architecture-name').inputValue()).toBe('e2e session entry');
      await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('9');
      await expect(page.getByTestId('undo').isDisabled()).resolves.toBe(true);
      // saved work is replaced without a question: New empties it, and keeps nothing of the entry
      await page.getByTestId('evaluate').click();
      await page.getByTestId('evaluation-total').waitFor();
      await page.getByTestId('new-document').click();
      await expect.poll(async () => counts.getAttribute('data-neurons')).toBe('0');
      expect(asked.length).toBe(3);
      expect(await page.getByTestId('library-select').inputValue()).toBe('');
      expect(await page.getByTestId('architecture-name').inputValue()).toBe('');
      expect(await page.getByTestId('evaluation-total').count()).toBe(0);
    } finally {
      page.off('dialog', onDialog);
    }
    expect(lab.pageErrors).toEqual([]);
  }, 90_000);

  it('Evaluate says it is busy; a reload or close with unsaved work asks first', async () => {
    const page = await lab.context.newPage();
    try {
      await page.goto(lab.host.url);
      await page.waitForFunction(() => location.hash.startsWith('#/'));
      await page.evaluate(() => (location.hash = '#/editor?generate=handcrafted'));
      const counts = page.getByTestId('editor-counts');
      await expect.poll(async () => counts.getAttribute('data-neurons'), { timeout: 15_000 }).toBe('9');

      // the button's states from the click to the result
      await page.evaluate(() => {
        const b = document.querySelector('[data-testid="evaluate"]') as HTMLButtonElement;
        const seen: string[] = [];
        (window as unknown as { __evalStates: string[] }).__evalStates = seen;
        new MutationObserver(() => seen.push(`${b.textContent?.trim()}|${b.disabled}`)).observe(b, {
          attributes: true,
          childList: true,
          characterData: true,
          subtree: true,
        });
      });
      await page.getByTestId('evaluate').click();
      await expect.poll(async () => page.getByTestId('evaluation-total').getAttribute('data-total')).toBe('0');
      await expect.poll(async () => page.getByTestId('evaluate').textContent()).toBe('Evaluate');
      const states = await page.evaluate(() => (window as unknown as { __evalStates: string[] }).__evalStates);
      expect(states).toContain('evaluating…|true');
      expect(await page.getByTestId('evaluate').isDisabled()).toBe(false);

      // unsaved (generated, never saved): closing the page runs beforeunload, which asks
      const dialog = new Promise<string>((resolve) => page.once('dialog', (d) => void d.dismiss().then(() => resolve(d.type()))));
      await page.close({ runBeforeUnload: true });
      expect(await dialog).toBe('beforeunload');
      expect(page.isClosed()).toBe(false); // dismissed: the page stays
    } finally {
      if (!page.isClosed()) await page.close();
    }
  }, 60_000);

  it('exposes no test hooks in a page the tests did not mark', async () => {
    const context = await lab.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(lab.host.url);
      await page.waitForFunction(() => location.hash.startsWith('#/'));
      await page.evaluate(() => (location.hash = '#/editor?generate=handcrafted'));
      // the canvas has drawn (Cytoscape's own <canvas> elements): the hook would be set by now
      await page.locator('[data-testid="editor-canvas"] canvas').first().waitFor({ state: 'attached' });
      await expect.poll(async () => page.getByTestId('editor-counts').getAttribute('data-neurons'), { timeout: 15_000 }).toBe('9');
      expect(await page.evaluate(() => ({ flag: 'window.__DMM_E2E__' in window, hook: window.__dmmEditorCanvas !== undefined }))).toEqual({
        flag: false,
        hook: false,
      });
      // while the tests' own page has it
      expect(await lab.page.evaluate(() => window.__DMM_E2E__)).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});
