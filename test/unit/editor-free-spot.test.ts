/** Where a neuron added from the palette goes: a free spot of the visible canvas. */
import { describe, expect, it } from 'vitest';
import { freeSpot } from '../../src-renderer/editor/free-spot';

const view = { x1: 0, y1: 0, x2: 400, y2: 300 };
const size = { width: 100, height: 50 };

describe('freeSpot', () => {
  it('an empty view: its top-left corner, the box inside the view', () => {
    const p = freeSpot(view, [], size)!;
    expect(p.x - 58).toBeGreaterThanOrEqual(view.x1);
    expect(p.y - 33).toBeGreaterThanOrEqual(view.y1);
  });

  it('clear of every occupied box, and inside the view', () => {
    const occupied = [
      { x1: 0, y1: 0, x2: 250, y2: 120 },
      { x1: 260, y1: 0, x2: 400, y2: 60 },
    ];
    const p = freeSpot(view, occupied, size, 8)!;
    const box = { x1: p.x - 58, y1: p.y - 33, x2: p.x + 58, y2: p.y + 33 };
    for (const o of occupied) expect(box.x1 >= o.x2 || o.x1 >= box.x2 || box.y1 >= o.y2 || o.y1 >= box.y2).toBe(true);
    expect(box.x2).toBeLessThanOrEqual(view.x2 + 1);
    expect(box.y2).toBeLessThanOrEqual(view.y2 + 1);
  });

  it('a full view, or one smaller than the box: none', () => {
    expect(freeSpot(view, [{ x1: -10, y1: -10, x2: 410, y2: 310 }], size)).toBeUndefined();
    expect(freeSpot({ x1: 0, y1: 0, x2: 50, y2: 50 }, [], size)).toBeUndefined();
  });
});
