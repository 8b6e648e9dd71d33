/** Multi-selection of the run table: click, ctrl/cmd-click, shift-click, keyboard, select all, pruning. */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SELECTION,
  clearSelection,
  clickRow,
  focusIndex,
  moveFocus,
  orderOf,
  pruneSelection,
  selectAll,
  selectedInOrder,
  selectionState,
  toggleRow,
  type Selection,
} from '../../src-renderer/runs/browser/selection';

const rows = orderOf([10, 11, 12, 13, 14, 15]);
const none = { shift: false, toggle: false };
const ctrl = { shift: false, toggle: true };
const shift = { shift: true, toggle: false };
const ids = (s: Selection): number[] => [...s.ids].sort((a, b) => a - b);

describe('selection', () => {
  it('a click selects one row and sets the anchor and focus', () => {
    const s = clickRow(EMPTY_SELECTION, rows, 2, none);
    expect(s).toEqual({ ids: new Set([12]), anchor: 12, focus: 12 });
    expect(ids(clickRow(s, rows, 4, none))).toEqual([14]);
  });

  it('ctrl/cmd-click toggles a row and moves the anchor', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 1, none);
    s = clickRow(s, rows, 3, ctrl);
    expect(ids(s)).toEqual([11, 13]);
    s = clickRow(s, rows, 1, ctrl);
    expect(ids(s)).toEqual([13]);
    expect(s.anchor).toBe(11);
  });

  it('shift-click selects the range from the anchor, in both directions, replacing the selection', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 2, none);
    s = clickRow(s, rows, 4, shift);
    expect(ids(s)).toEqual([12, 13, 14]);
    expect(s.anchor).toBe(12);
    s = clickRow(s, rows, 0, shift);
    expect(ids(s)).toEqual([10, 11, 12]);
    expect(s.focus).toBe(10);
  });

  it('ctrl+shift-click adds the range to the selection', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 0, none);
    s = clickRow(s, rows, 3, ctrl);
    s = clickRow(s, rows, 5, { shift: true, toggle: true });
    expect(ids(s)).toEqual([10, 13, 14, 15]);
  });

  it('shift-click without an anchor selects the row', () => {
    expect(ids(clickRow(EMPTY_SELECTION, rows, 3, shift))).toEqual([13]);
  });

  it('the row checkbox toggles', () => {
    const s = toggleRow(toggleRow(EMPTY_SELECTION, 12), 14);
    expect(ids(s)).toEqual([12, 14]);
    expect(ids(toggleRow(s, 12))).toEqual([14]);
  });

  it('arrow keys move the focus; with shift they extend from the anchor', () => {
    let s = moveFocus(EMPTY_SELECTION, rows, 1, false);
    expect(s.focus).toBe(10); // nothing focused: the first row
    s = moveFocus(s, rows, 1, false);
    expect(ids(s)).toEqual([11]);
    s = moveFocus(s, rows, 1, true);
    s = moveFocus(s, rows, 1, true);
    expect(ids(s)).toEqual([11, 12, 13]);
    s = moveFocus(s, rows, -3, true);
    expect(ids(s)).toEqual([10, 11]);
    expect(moveFocus(s, rows, 100, false).focus).toBe(15); // clamped
    expect(moveFocus(EMPTY_SELECTION, rows, -1, false).focus).toBe(15);
  });

  it('Home/End go to an absolute row', () => {
    const s = clickRow(EMPTY_SELECTION, rows, 2, none);
    expect(focusIndex(s, rows, 5, false).focus).toBe(15);
    expect(ids(focusIndex(s, rows, 0, true))).toEqual([10, 11, 12]);
    expect(focusIndex(EMPTY_SELECTION, rows, 5, false).focus).toBe(15);
  });

  it('select all, header checkbox state, clear', () => {
    let s = selectAll(EMPTY_SELECTION, rows);
    expect(ids(s)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(selectionState(s, rows)).toBe('all');
    s = clickRow(s, rows, 0, ctrl);
    expect(selectionState(s, rows)).toBe('some');
    s = clearSelection(s);
    expect(selectionState(s, rows)).toBe('none');
    expect(s.focus).toBe(10);
    expect(selectionState(EMPTY_SELECTION, orderOf([]))).toBe('none');
  });

  it('survives reordering (ids, not positions) and is pruned to the rows still listed', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 1, none);
    s = clickRow(s, rows, 3, shift); // 11..13
    const reordered = orderOf([13, 15, 11, 10]);
    expect(selectedInOrder(s, reordered)).toEqual([13, 11]);
    const pruned = pruneSelection(s, reordered);
    expect(ids(pruned)).toEqual([11, 13]);
    expect(pruned.anchor).toBe(11);
    expect(pruned.focus).toBe(13);
    expect(pruneSelection(pruned, reordered)).toBe(pruned); // unchanged: same object
    expect(pruneSelection(s, orderOf([10]))).toEqual({ ids: new Set(), anchor: undefined, focus: undefined });
  });

  it('ranges over rows not loaded yet take what is there', () => {
    const partial = {
      count: 6,
      idAt: (i: number) => (i < 3 ? [10, 11, 12][i] : undefined),
      indexOf: (id: number) => [10, 11, 12].indexOf(id),
    };
    const s = clickRow(clickRow(EMPTY_SELECTION, partial, 0, none), partial, 2, shift);
    expect(ids(s)).toEqual([10, 11, 12]);
    expect(clickRow(s, partial, 4, none)).toBe(s); // a placeholder row: nothing happens
  });
});
