/**
 * Editor details in Chromium against the browser host:
 *  - Evaluate by problem: the picker lists the stored problems, defaults to duplicates; the
 *    hand-crafted detector evaluates to zero there and to a clearly non-zero loss on
 *    last-three (its name, its compared tree output and its test strings shown).
 *    Screenshot: editor-evaluate-problem.png.
 *  - a neuron added from the palette lands inside the visible canvas, clear of the others;
 *  - one-sided neurons (output, eos, const_1) are selected and deleted by a click on their box;
 *  - "Train from this" and "Evaluate" on a graph with validation errors ask first (declined:
 *    nothing happens; accepted: they go on);
 *  - the |w| slider runs on a log scale from the smallest to the largest |w|, its label clear
 *    of the name field;
 *  - importing a problem file names what it is and what the editor expected, in full.
 *    Screenshots: editor-palette-placement.png, editor-threshold-log.png, editor-import-wrong-kind.png.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeE2E, editorCanvasSettled, startE2ELab, type E2ELab } from '../helpers/browser';
import type {} from '../../src-renderer/editor/canvas-hook';

let lab: E2ELab;

interface Rect {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Every neuron's box on the screen (client coordinates), by name. */
async function neuronBoxes(page: Page): Promise<Record<string, Rect>> {
  return page.evaluate(() => {
    const hook = window.__dmmEditorCanvas!;
    const r = document.querySelector('[data-testid="editor-canvas"]')!.getBoundingClientRect();
    const out: Record<string, { x1: number; y1: number; x2: number; y2: number }> = {};
    hook.core.nodes('.neuron').forEach((n) => {
      const b = n.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
      out[String(n.data('name'))] = { x1: r.left + b.x1, y1: r.top + b.y1, x2: r.left + b.x2, y2: r.top + b.y2 };
    });
    return out;
  });
}

const overlap = (a: Rect, b: Rect): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

const neuronsOf = async (page: Page) => Number(await page.getByTestId('editor-counts').getAttribute('data-neurons'));

/** Opens the editor with the hand-crafted detector generated and drawn. */
async function openDetector(page: Page): Promise<void> {
  await lab.open('#/editor?generate=handcrafted');
  await expect.poll(() => neuronsOf(page), { timeout: 15_000 }).toBe(9);
  await page.waitForFunction(() => window.__dmmEditorCanvas !== undefined);
  await editorCanvasSettled(page);
}

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

  it('a neuron added from the palette lands inside the visible canvas, clear of every other neuron', async () => {
    const { page } = lab;
    await openDetector(page);
    const canvas = await page.getByTestId('editor-canvas').boundingBox();
    if (!canvas) throw new Error('no canvas');
    for (const [type, name] of [
      ['accum', 'accum-2'],
      ['dot', 'dot-2'],
      ['norm', 'norm-2'],
    ] as const) {
      const before = await neuronsOf(page);
      await page.getByTestId(`palette-${type}`).click();
      await expect.poll(() => neuronsOf(page)).toBe(before + 1);
      await editorCanvasSettled(page);
      const boxes = await neuronBoxes(page);
      const added = boxes[name];
      if (!added) throw new Error(`${name} not drawn`);
      expect(added.x1).toBeGreaterThanOrEqual(canvas.x);
      expect(added.y1).toBeGreaterThanOrEqual(canvas.y);
      expect(added.x2).toBeLessThanOrEqual(canvas.x + canvas.width);
      expect(added.y2).toBeLessThanOrEqual(canvas.y + canvas.height);
      for (const [other, box] of Object.entries(boxes)) if (other !== name) expect(overlap(added, box), `${name} on ${other}`).toBe(false);
    }
    await lab.screenshot('editor-palette-placement');
  }, 90_000);

  it('one-sided neurons (output, eos, const_1) are selected by a click on their box and deleted with Delete', async () => {
    const { page } = lab;
    await openDetector(page);
    for (const name of ['output', 'eos', 'const_1']) {
      const before = await neuronsOf(page);
      const box = (await neuronBoxes(page))[name];
      if (!box) throw new Error(`${name} not drawn`);
      // the middle of the box, below the label
      await page.mouse.click((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2 + 4);
      await expect
        .poll(async () =>
          page
            .getByTestId('neuron-name')
            .inputValue()
            .catch(() => ''),
        )
        .toBe(name);
      await page.getByTestId('inspector').click({ position: { x: 2, y: 2 } });
      await page.keyboard.press('Delete');
      await expect.poll(() => neuronsOf(page)).toBe(before - 1);
      await editorCanvasSettled(page);
    }
  }, 90_000);

  it('"Train from this" and "Evaluate" on a graph with validation errors say so and ask before going on', async () => {
    const { page } = lab;
    await openDetector(page);
    // the machine without its output neuron: a validation error
    await page.locator('body').press('/');
    await page.getByTestId('neuron-search').fill('output');
    await page.getByTestId('neuron-search').press('Enter');
    await expect.poll(async () => page.getByTestId('neuron-name').inputValue()).toBe('output');
    await page.getByTestId('inspector').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Delete');
    await expect.poll(() => neuronsOf(page)).toBe(8);
    await expect.poll(async () => page.locator('[data-testid="validation-list"] li.error').count()).toBeGreaterThan(0);

    const answer = (accept: boolean) =>
      new Promise<string>((resolve) =>
        page.once('dialog', (d) => {
          const text = d.message();
          void (accept ? d.accept() : d.dismiss()).then(() => resolve(text));
        }),
      );
    // Evaluate: declined, nothing runs; accepted, it runs and says why the machine cannot be judged
    let asked = answer(false);
    await page.getByTestId('evaluate').click();
    expect(await asked).toMatch(/^This graph has 1 validation error:\n• the machine has no output neuron\n\nEvaluate it anyway\?$/);
    await expect
      .poll(async () => page.getByTestId('editor-message').textContent())
      .toMatch(/not evaluated: the graph has validation errors/);
    expect(await page.getByTestId('evaluation-total').count()).toBe(0);
    asked = answer(true);
    await page.getByTestId('evaluate').click();
    await asked;
    await expect
      .poll(async () => (await page.getByTestId('evaluation-total').count()) + (await page.getByTestId('evaluation-error').count()))
      .toBe(1);

    // Train from this: declined, the route stays; accepted, the New-run form opens
    asked = answer(false);
    await page.getByTestId('architecture-name').fill('no output');
    await page.getByTestId('train-from-this').click();
    expect(await asked).toMatch(/validation error.*\n• the machine has no output neuron[\s\S]*Train from it anyway\?$/s);
    await expect.poll(async () => page.getByTestId('editor-message').textContent()).toMatch(/not trained/);
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/editor/);
    asked = answer(true);
    await page.getByTestId('train-from-this').click();
    await asked;
    await page.waitForFunction(() => location.hash.startsWith('#/new?arch='), undefined, { timeout: 15_000 });
  }, 90_000);

  it('the |w| slider follows the weights on a log scale, from the smallest to the largest |w|; its label stays clear of the name field', async () => {
    const { page } = lab;
    await page.setViewportSize({ width: 1100, height: 900 });
    try {
      await lab.open('#/editor?generate=layered');
      await page.waitForFunction(() => window.__dmmEditorCanvas !== undefined);
      await expect.poll(() => page.evaluate(() => window.__dmmEditorCanvas?.edges() ?? 0), { timeout: 30_000 }).toBeGreaterThan(1000);
      // the weights, from the exported matrix (what the document holds)
      const weights: number[] = await page.evaluate(() =>
        window.__dmmEditorCanvas!.core.edges().map((e) => Math.abs(Number(e.data('weight')))),
      );
      const finite = weights.filter((w) => Number.isFinite(w) && w > 0);
      const min = Math.min(...finite);
      const max = Math.max(...finite);
      expect(max / min).toBeGreaterThan(100); // several decades: a linear slider would waste them
      const slider = page.getByTestId('threshold-slider');
      const label = page.getByTestId('threshold-label');
      const steps = Number(await slider.getAttribute('max'));
      const at = async (position: number) => {
        await slider.fill(String(position));
        return Number(await label.getAttribute('data-epsilon'));
      };
      expect(await at(0)).toBe(0);
      expect(await at(1)).toBeCloseTo(min, 12);
      expect(Number(await label.getAttribute('data-hidden'))).toBe(0);
      expect(await at(steps)).toBeCloseTo(max, 12);
      const mid = await at(Math.round((steps + 1) / 2));
      expect(Math.log(mid)).toBeCloseTo((Math.log(min) + Math.log(max)) / 2, 1);
      const hiddenMid = Number(await label.getAttribute('data-hidden'));
      expect(hiddenMid).toBe(finite.filter((w) => w < mid).length);
      expect(hiddenMid).toBeGreaterThan(0);
      // the label with "· N hidden" does not run into the name field
      const l = await label.boundingBox();
      const n = await page.getByTestId('architecture-name').boundingBox();
      if (!l || !n) throw new Error('not drawn');
      expect(l.x + l.width <= n.x || n.y + n.height <= l.y || l.y + l.height <= n.y).toBe(true);
      expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      await editorCanvasSettled(page);
      await lab.screenshot('editor-threshold-log');
    } finally {
      await page.setViewportSize({ width: 1400, height: 950 });
    }
  }, 120_000);

  it('importing a file of the wrong kind names what it is and what the editor expected, in full', async () => {
    const { page } = lab;
    await openDetector(page);
    const dir = mkdtempSync(join(tmpdir(), 'dmm-editor-import-'));
    try {
      const stored = await lab.api<{ definition: Record<string, unknown> }>('problems.get', { id: 'last-three' });
      const file = join(dir, 'last-three.problem.json');
      writeFileSync(file, JSON.stringify({ format: 'dmm-lab-problem', ...stored.definition }, null, 1));
      await page.locator('input[type="file"]').setInputFiles(file);
      const error = page.getByTestId('editor-error');
      await expect
        .poll(async () => error.textContent())
        .toMatch(
          /^\s*last-three\.problem\.json is a DMM Lab problem \("last-three"\) — import it on the Problems screen, not an architecture: the editor imports an architecture: its own JSON \(format "dmm-lab-architecture"\), a library architecture record \(\{"neurons", "matrix"\}\) or a prototype matrix file\.\s*$/,
        );
      // shown in full: nothing cut off sideways or below
      expect(await error.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1)).toBe(true);
      expect(await neuronsOf(page)).toBe(9); // the graph is untouched
      await lab.screenshot('editor-import-wrong-kind');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
