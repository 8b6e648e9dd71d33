/**
 * The main window's bounds and maximised state, remembered across starts in a small JSON
 * file in the user-data folder. The file is validated (zod) on reading: a missing, corrupt
 * or implausible file gives the defaults, never an error. The bounds are then clamped onto
 * a display that is connected now, so a window saved on a monitor since unplugged comes
 * back visible. No `electron` import: tested under Node.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const WINDOW_STATE_FILE = 'window-state.json';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  /** Normal (not maximised) bounds; x/y absent lets the system centre the window. */
  readonly bounds: { readonly x?: number; readonly y?: number; readonly width: number; readonly height: number };
  readonly maximized: boolean;
}

export const MIN_SIZE = { width: 640, height: 480 } as const;
export const DEFAULT_WINDOW_STATE: WindowState = { bounds: { width: 1200, height: 800 }, maximized: false };

const coord = z.number().int().min(-100_000).max(100_000);
const size = z.number().int().min(1).max(100_000);

export const WindowStateSchema = z.strictObject({
  version: z.literal(1),
  bounds: z.strictObject({ x: coord.optional(), y: coord.optional(), width: size, height: size }),
  maximized: z.boolean(),
});

/** The state in a file's text, or undefined when it is not a valid state file. */
export function parseWindowState(text: string): WindowState | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = WindowStateSchema.safeParse(data);
  return r.success ? { bounds: r.data.bounds, maximized: r.data.maximized } : undefined;
}

export function serializeWindowState(state: WindowState): string {
  return `${JSON.stringify({ version: 1, bounds: state.bounds, maximized: state.maximized }, null, 2)}\n`;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Bounds that fit on one of `workAreas` (the displays' usable areas, primary first): the
 * display the saved bounds overlap most (else the primary), the size shrunk to fit it (not
 * below MIN_SIZE unless the display is smaller), the position moved inside it. Without a
 * saved position the size is fitted and the position left to the system.
 */
export function clampToDisplays(bounds: WindowState['bounds'], workAreas: readonly Rect[]): WindowState['bounds'] {
  const primary = workAreas[0];
  if (!primary) return bounds;
  const fit = (area: Rect) => ({
    width: Math.min(Math.max(bounds.width, Math.min(MIN_SIZE.width, area.width)), area.width),
    height: Math.min(Math.max(bounds.height, Math.min(MIN_SIZE.height, area.height)), area.height),
  });
  if (bounds.x === undefined || bounds.y === undefined) return fit(primary);
  const saved: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height };
  let best = primary;
  let bestOverlap = 0;
  for (const area of workAreas) {
    const o = overlap(saved, area);
    if (o > bestOverlap) {
      best = area;
      bestOverlap = o;
    }
  }
  const { width, height } = fit(best);
  const x = Math.min(Math.max(saved.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(saved.y, best.y), best.y + best.height - height);
  return { x, y, width, height };
}

/** The remembered state in `dir`, clamped onto `workAreas`; the defaults when there is none. */
export function loadWindowState(dir: string, workAreas: readonly Rect[]): WindowState {
  let text: string;
  try {
    text = readFileSync(join(dir, WINDOW_STATE_FILE), 'utf8');
  } catch {
    text = '';
  }
  const state = parseWindowState(text) ?? DEFAULT_WINDOW_STATE;
  return { bounds: clampToDisplays(state.bounds, workAreas), maximized: state.maximized };
}

/** Writes the state to `dir` (via a temporary file and a rename, so a crash never leaves half a file). */
export function saveWindowState(dir: string, state: WindowState): void {
  const file = join(dir, WINDOW_STATE_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, serializeWindowState(state));
  renameSync(tmp, file);
}
