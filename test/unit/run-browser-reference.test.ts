/** The reference row: the hand-crafted detector's figures, computed by the shared engine. */
import { describe, expect, it } from 'vitest';
import { STATED_REFERENCE, referenceFigures } from '../../src-renderer/runs/browser/reference';
import { escapeHtml, renderMarkdown } from '../../src-renderer/runs/browser/markdown';
import { exportFileName } from '../../src-renderer/lib/download';
import { formatDuration, formatNumber } from '../../src-renderer/runs/browser/format';

describe('reference row', () => {
  it('the hand-crafted detector has 8 soft links and test loss and worst error 0, computed once', () => {
    const r = referenceFigures();
    expect(r.error).toBeUndefined();
    expect([r.softLinks, r.testLoss, r.testWorst]).toEqual([
      STATED_REFERENCE.softLinks,
      STATED_REFERENCE.testLoss,
      STATED_REFERENCE.testWorst,
    ]);
    expect(r.computedMs).toBeGreaterThan(0);
    expect(referenceFigures()).toBe(r); // once per window
  });
});

describe('small helpers', () => {
  it('notes without a DOM come back as escaped text', () => {
    expect(renderMarkdown('<script>alert(1)</script> **b**')).toBe('<pre>&lt;script&gt;alert(1)&lt;/script&gt; **b**</pre>');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });

  it('formats figures', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.000123456)).toBe('1.23e-4');
    expect(formatNumber(0.0123456)).toBe('0.01235');
    expect(formatNumber(434.98634)).toBe('435');
    expect(formatNumber(12)).toBe('12');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(185_000)).toBe('3 m 05 s');
    expect(formatDuration(2 * 3_600_000 + 7 * 60_000)).toBe('2 h 07 m');
    expect(formatDuration(null)).toBe('—');
    expect(exportFileName(3, 'csv', new Date(2025, 10, 24, 17, 3))).toBe('dmm-runs-20251124-1703-3.csv');
  });
});
