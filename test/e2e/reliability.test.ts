/**
 * What the screen says when things go wrong, in Debian's Chromium against the real browser
 * host: a note inside an imported run cannot lay a full-window link over the app (style,
 * class and id are stripped from rendered markdown); a lab whose database is damaged says
 * "Read-only" with the reason in a banner on every screen.
 * Screenshots: test-results/screenshots/reliability-*.png.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RunStore } from '../../src-main/store/run-store';
import type { Metric } from '../../src-shared/api/records';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { describeE2E, startE2ELab, type E2ELab } from '../helpers/browser';
import { tempDir } from '../helpers/lab';

const COVER =
  '<a href="https://evil.example/" style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999;opacity:0" class="banner" id="app">x</a>\n\n' +
  '<div style="position:fixed;inset:0;z-index:99999"><a href="https://evil.example/2">cover</a></div>\n\n**still markdown**';

describeE2E('Reliability on screen (Chromium, browser host)', () => {
  let lab: E2ELab;
  let damaged: E2ELab;

  beforeAll(async () => {
    lab = await startE2ELab();
    damaged = await startE2ELab({
      prepare: (db) => {
        const s = RunStore.open(db);
        const run = s.createRun({ name: 'survivor', schedule: defaultSchedule(1) });
        const m = (step: number): Metric => ({
          step,
          phase: 'dense',
          preregLoss: 1,
          loss: 1,
          l1: 1,
          lambda1: 0,
          softLinks: 5,
          wallMs: step,
        });
        s.appendMetrics(
          run.id,
          Array.from({ length: 20_000 }, (_, i) => m(i + 1)),
        );
        s.setStatus(run.id, 'completed', 'done');
        const page = s.db.prepare("SELECT max(pageno) FROM dbstat WHERE name = 'metrics' AND pagetype = 'leaf'").pluck().get() as number;
        const size = s.db.pragma('page_size', { simple: true }) as number;
        s.db.pragma('wal_checkpoint(TRUNCATE)');
        s.close();
        const bytes = readFileSync(db);
        bytes.fill(0x5a, (page - 1) * size, page * size);
        writeFileSync(db, bytes);
      },
    });
  }, 180_000);

  afterAll(async () => {
    await lab?.close();
    await damaged?.close();
  });

  it('a note cannot cover the window with a link: style, class and id are gone, the markdown stays', async () => {
    // the note arrives inside an imported run, as it would from someone else's export
    const tmp = tempDir('dmm-e2e-notes-');
    const other = RunStore.open(`${tmp.dir}/other.sqlite`);
    const src = other.createRun({ name: 'imported with a note', schedule: defaultSchedule(2), notes: COVER });
    const exported = other.exportRun(src.id);
    other.close();
    tmp.cleanup();
    const { ids } = await lab.api<{ ids: number[] }>('runs.import', { runs: [exported] });
    const id = ids[0] as number;

    const { page } = lab;
    await lab.open('#/runs');
    await page.getByTestId(`run-row-${id}`).click();
    const view = page.getByTestId('notes-view');
    await view.waitFor();
    await expect.poll(async () => view.locator('strong').count()).toBe(1); // the markdown still renders
    expect(await view.locator('[style], [class], [id]').count()).toBe(0);
    const html = await view.innerHTML();
    expect(html).not.toMatch(/style=|class=|id=/);
    // nothing from the note is what the middle of the window shows
    const hit = await page.evaluate(() => {
      const el = document.elementFromPoint(window.innerWidth / 2, window.innerHeight / 2);
      return el?.closest('[data-testid="notes-view"]') ? 'note' : (el?.tagName ?? 'none');
    });
    expect(hit).not.toBe('note');
    for (const a of await view.locator('a').all()) {
      const box = await a.boundingBox();
      expect(box?.width ?? 0).toBeLessThan(400);
      expect(box?.height ?? 0).toBeLessThan(100);
    }
    await lab.screenshot('reliability-notes');
    expect(lab.pageErrors).toEqual([]);
  }, 60_000);

  it('a damaged database: every screen says Read-only and why; what is readable still shows', async () => {
    const { page } = damaged;
    await damaged.open('#/runs');
    const banner = page.getByTestId('lab-status');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Read-only.*the database is damaged \(quick_check: .+\), so the lab opened it read-only/s);
    await page.getByText('survivor').first().waitFor();
    await damaged.screenshot('reliability-read-only');
    await damaged.open('#/new');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Read-only/);
  }, 60_000);
});
