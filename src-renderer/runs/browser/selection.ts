/**
 * Multi-selection over the rows of the table, by run id (so it survives live updates,
 * re-sorting and reloads): click selects one, ctrl/cmd-click toggles one, shift-click
 * selects the range from the anchor (ctrl/cmd+shift adds the range), arrow keys move the
 * focus (shift extends), select all, and pruning to the runs still listed.
 */

/** The rows in table order, as the selection sees them. */
export interface RowOrder {
  readonly count: number;
  /** The id at a position, undefined past what is loaded. */
  idAt(index: number): number | undefined;
  indexOf(id: number): number | undefined;
}

export interface Selection {
  readonly ids: ReadonlySet<number>;
  /** Where a shift-click range starts. */
  readonly anchor: number | undefined;
  /** The row the keyboard acts on (Enter opens it). */
  readonly focus: number | undefined;
}

export interface Modifiers {
  readonly shift: boolean;
  /** ctrl (or cmd on macOS). */
  readonly toggle: boolean;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: undefined, focus: undefined };

export function orderOf(ids: readonly number[]): RowOrder {
  const index = new Map<number, number>();
  ids.forEach((id, i) => index.set(id, i));
  return { count: ids.length, idAt: (i) => ids[i], indexOf: (id) => index.get(id) };
}

function range(rows: RowOrder, from: number, to: number): number[] {
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  const out: number[] = [];
  for (let i = Math.max(0, lo); i <= Math.min(hi, rows.count - 1); i++) {
    const id = rows.idAt(i);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/** A click on the row at `index`. */
export function clickRow(sel: Selection, rows: RowOrder, index: number, mods: Modifiers): Selection {
  const id = rows.idAt(index);
  if (id === undefined) return sel;
  if (mods.shift) {
    const anchorIndex = sel.anchor === undefined ? undefined : rows.indexOf(sel.anchor);
    if (anchorIndex === undefined) return { ids: new Set([id]), anchor: id, focus: id };
    const ids = new Set(mods.toggle ? sel.ids : []);
    for (const r of range(rows, anchorIndex, index)) ids.add(r);
    return { ids, anchor: sel.anchor, focus: id };
  }
  if (mods.toggle) {
    const ids = new Set(sel.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id, focus: id };
  }
  return { ids: new Set([id]), anchor: id, focus: id };
}

/** The row checkbox: toggles one row, like ctrl-click. */
export function toggleRow(sel: Selection, id: number): Selection {
  const ids = new Set(sel.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, anchor: id, focus: id };
}

/**
 * Moves the focus to row `index` (clamped; Home, End, PageUp…); with shift the selection
 * becomes the range from the anchor to it, otherwise only it is selected.
 */
export function focusIndex(sel: Selection, rows: RowOrder, index: number, shift: boolean): Selection {
  if (rows.count === 0) return sel;
  const target = Math.max(0, Math.min(rows.count - 1, index));
  const id = rows.idAt(target);
  if (id === undefined) return sel;
  if (shift) {
    const anchor = sel.anchor ?? sel.focus ?? id;
    const anchorIndex = rows.indexOf(anchor) ?? target;
    return { ids: new Set(range(rows, anchorIndex, target)), anchor, focus: id };
  }
  return { ids: new Set([id]), anchor: id, focus: id };
}

/** Moves the focus by `delta` rows (arrow keys); with nothing focused, to the first (down) or last (up) row. */
export function moveFocus(sel: Selection, rows: RowOrder, delta: number, shift: boolean): Selection {
  const current = sel.focus === undefined ? undefined : rows.indexOf(sel.focus);
  const target = current === undefined ? (delta >= 0 ? 0 : rows.count - 1) : current + delta;
  return focusIndex(sel, rows, target, shift);
}

export function selectAll(sel: Selection, rows: RowOrder): Selection {
  const ids = new Set(range(rows, 0, rows.count - 1));
  const first = rows.idAt(0);
  return { ids, anchor: sel.anchor ?? first, focus: sel.focus ?? first };
}

export function clearSelection(sel: Selection): Selection {
  return { ids: new Set(), anchor: sel.focus, focus: sel.focus };
}

/** The selection restricted to the rows still listed (the same object when nothing changes). */
export function pruneSelection(sel: Selection, rows: RowOrder): Selection {
  let changed = false;
  const ids = new Set<number>();
  for (const id of sel.ids) {
    if (rows.indexOf(id) !== undefined) ids.add(id);
    else changed = true;
  }
  const anchor = sel.anchor !== undefined && rows.indexOf(sel.anchor) === undefined ? undefined : sel.anchor;
  const focus = sel.focus !== undefined && rows.indexOf(sel.focus) === undefined ? undefined : sel.focus;
  if (!changed && anchor === sel.anchor && focus === sel.focus) return sel;
  return { ids, anchor, focus };
}

/** The selected ids that are listed, in table order. */
export function selectedInOrder(sel: Selection, rows: RowOrder): number[] {
  const listed: { id: number; i: number }[] = [];
  for (const id of sel.ids) {
    const i = rows.indexOf(id);
    if (i !== undefined) listed.push({ id, i });
  }
  return listed.sort((a, b) => a.i - b.i).map((x) => x.id);
}

/** `all`, `some` or `none` of the rows are selected (the header checkbox). */
export function selectionState(sel: Selection, rows: RowOrder): 'all' | 'some' | 'none' {
  let n = 0;
  for (const id of sel.ids) if (rows.indexOf(id) !== undefined) n++;
  if (n === 0) return 'none';
  return n === rows.count ? 'all' : 'some';
}
