/**
 * Windowing of a list of fixed-height rows: which rows to render for a scroll position
 * (plus some overscan), and where to scroll so a row is in view. Only the rendered rows
 * exist in the DOM, so 10,000 runs cost what 40 do.
 */

/** Height of a table row, in px. */
export const ROW_HEIGHT = 28;

export interface WindowInput {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly count: number;
  /** Extra rows rendered above and below the viewport. */
  readonly overscan?: number;
}

export interface RowWindow {
  /** First rendered row. */
  readonly start: number;
  /** One past the last rendered row. */
  readonly end: number;
  /** Offset of the first rendered row from the top of the list, in px. */
  readonly offset: number;
  /** Height of the whole list, in px. */
  readonly height: number;
}

export function rowWindow({ scrollTop, viewportHeight, rowHeight, count, overscan = 8 }: WindowInput): RowWindow {
  const height = Math.max(0, count) * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, height };
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, height - viewportHeight)));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, height };
}

/**
 * The scrollTop that brings row `index` fully into view (the least scrolling), or undefined
 * when it is in view already. `headerHeight` is the part of the viewport covered at the top
 * (sticky header rows).
 */
export function scrollToRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  headerHeight = 0,
): number | undefined {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  const visibleTop = scrollTop;
  const visibleBottom = scrollTop + viewportHeight - headerHeight;
  if (top < visibleTop) return top;
  if (bottom > visibleBottom) return Math.max(0, bottom - (viewportHeight - headerHeight));
  return undefined;
}

/** Rows that fit in the viewport (PageUp / PageDown). */
export function pageRows(viewportHeight: number, rowHeight: number, headerHeight = 0): number {
  return Math.max(1, Math.floor((viewportHeight - headerHeight) / rowHeight) - 1);
}
