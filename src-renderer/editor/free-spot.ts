/**
 * Where a new neuron fits: the first spot of a view, scanned row by row from its top-left,
 * where a box of the given size (centred on the spot) stays inside the view and clear of
 * every occupied box. Model coordinates; no DOM.
 */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

const overlaps = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** The centre of the first free box in `view`, or undefined when none fits. */
export function freeSpot(
  view: Box,
  occupied: readonly Box[],
  size: { readonly width: number; readonly height: number },
  margin = 8,
): { x: number; y: number } | undefined {
  const w = size.width + 2 * margin;
  const h = size.height + 2 * margin;
  if (!(view.x2 - view.x1 >= w && view.y2 - view.y1 >= h)) return undefined;
  // a step of a quarter box: fine enough to use gaps, few enough candidates (≤ a few thousand)
  const stepX = Math.max(w / 4, (view.x2 - view.x1) / 200);
  const stepY = Math.max(h / 4, (view.y2 - view.y1) / 200);
  for (let y = view.y1; y + h <= view.y2; y += stepY) {
    for (let x = view.x1; x + w <= view.x2; x += stepX) {
      const box = { x1: x, y1: y, x2: x + w, y2: y + h };
      if (!occupied.some((o) => overlaps(box, o))) return { x: Math.round(x + w / 2), y: Math.round(y + h / 2) };
    }
  }
  return undefined;
}
