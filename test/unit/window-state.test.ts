/**
 * Remembered window state: a real file in a temp folder, validated on reading (missing,
 * corrupt or implausible files give the defaults), and bounds clamped onto the displays
 * connected now.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clampToDisplays,
  DEFAULT_WINDOW_STATE,
  loadWindowState,
  MIN_SIZE,
  parseWindowState,
  saveWindowState,
  WINDOW_STATE_FILE,
} from '../../src-main/electron/window-state';
import { tempDir } from '../helpers/lab';

const laptop = { x: 0, y: 0, width: 1920, height: 1080 };
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1440 };
const tmp = tempDir('dmm-window-state-');
afterAll(() => tmp.cleanup());

describe('window state file', () => {
  it('round-trips through the file', () => {
    const state = { bounds: { x: 100, y: 50, width: 1300, height: 900 }, maximized: true };
    saveWindowState(tmp.dir, state);
    expect(JSON.parse(readFileSync(join(tmp.dir, WINDOW_STATE_FILE), 'utf8'))).toEqual({ version: 1, ...state });
    expect(loadWindowState(tmp.dir, [laptop])).toEqual(state);
  });

  it('gives the defaults for a missing, corrupt or invalid file', () => {
    const empty = join(tmp.dir, 'none');
    expect(loadWindowState(empty, [laptop])).toEqual(DEFAULT_WINDOW_STATE);
    for (const text of [
      '',
      '{',
      'null',
      '[]',
      '{"version":1}',
      '{"version":2,"bounds":{"width":800,"height":600},"maximized":false}',
      '{"version":1,"bounds":{"width":-5,"height":600},"maximized":false}',
      '{"version":1,"bounds":{"width":800.5,"height":600},"maximized":false}',
      '{"version":1,"bounds":{"width":800,"height":600},"maximized":"yes"}',
      '{"version":1,"bounds":{"x":1e9,"y":0,"width":800,"height":600},"maximized":false}',
      '{"version":1,"bounds":{"width":800,"height":600},"maximized":false,"extra":1}',
    ]) {
      expect(parseWindowState(text), text).toBeUndefined();
      writeFileSync(join(tmp.dir, WINDOW_STATE_FILE), text);
      expect(loadWindowState(tmp.dir, [laptop]), text).toEqual(DEFAULT_WINDOW_STATE);
    }
  });

  it('writes atomically (no temporary file left behind)', () => {
    saveWindowState(tmp.dir, DEFAULT_WINDOW_STATE);
    expect(() => readFileSync(join(tmp.dir, `${WINDOW_STATE_FILE}.tmp`))).toThrow();
  });
});

describe('clampToDisplays', () => {
  it('keeps bounds that are fully on a display', () => {
    expect(clampToDisplays({ x: 100, y: 100, width: 1200, height: 800 }, [laptop, rightMonitor])).toEqual({
      x: 100,
      y: 100,
      width: 1200,
      height: 800,
    });
    expect(clampToDisplays({ x: 2000, y: 100, width: 1200, height: 800 }, [laptop, rightMonitor])).toEqual({
      x: 2000,
      y: 100,
      width: 1200,
      height: 800,
    });
  });

  it('moves a window saved on an unplugged monitor onto the primary display', () => {
    expect(clampToDisplays({ x: 2500, y: 200, width: 1200, height: 800 }, [laptop])).toEqual({
      x: 1920 - 1200,
      y: 200,
      width: 1200,
      height: 800,
    });
    expect(clampToDisplays({ x: -3000, y: -2000, width: 1200, height: 800 }, [laptop])).toEqual({ x: 0, y: 0, width: 1200, height: 800 });
  });

  it('pulls a window straddling two displays onto the one it overlaps most', () => {
    const r = clampToDisplays({ x: 1800, y: 100, width: 1200, height: 800 }, [laptop, rightMonitor]);
    expect(r).toEqual({ x: 1920, y: 100, width: 1200, height: 800 });
  });

  it('shrinks a window larger than its display, but not below the minimum size', () => {
    expect(clampToDisplays({ x: 0, y: 0, width: 4000, height: 3000 }, [laptop])).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(clampToDisplays({ x: 10, y: 10, width: 100, height: 50 }, [laptop])).toEqual({
      x: 10,
      y: 10,
      width: MIN_SIZE.width,
      height: MIN_SIZE.height,
    });
    // a display smaller than the minimum: the display wins
    const tiny = { x: 0, y: 0, width: 600, height: 400 };
    expect(clampToDisplays({ x: 0, y: 0, width: 1200, height: 800 }, [tiny])).toEqual({ x: 0, y: 0, width: 600, height: 400 });
  });

  it('without a saved position fits the size and leaves the position to the system', () => {
    expect(clampToDisplays({ width: 3000, height: 800 }, [laptop])).toEqual({ width: 1920, height: 800 });
  });

  it('keeps the bounds when no display is known', () => {
    expect(clampToDisplays({ x: 5, y: 5, width: 700, height: 500 }, [])).toEqual({ x: 5, y: 5, width: 700, height: 500 });
  });
});
