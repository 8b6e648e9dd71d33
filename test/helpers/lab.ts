/** Helpers for tests of the lab back end: temp databases, small schedules, polling. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'dmm-lab-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A small machine that trains for a long time (until stopped): dense phase only. */
export function longSchedule(seed = 1, steps = 200_000): Record<string, unknown> {
  return {
    seed,
    start: { kind: 'generate', architecture: { layers: 2, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.1 } },
    training: { strings: [{ text: 'abca.', cycles: 40 }] },
    testSuite: [{ text: 'ab.', cycles: 30 }],
    dense: { steps, until: 0 },
    stop: { stepBudget: steps + 1000 },
    restarts: { max: 0 },
    regrow: { max: 0 },
    polish: { steps: 10 },
  };
}

/** A small run that finishes in a second or two, with cuts. */
export function shortSchedule(seed = 1): Record<string, unknown> {
  return {
    ...longSchedule(seed),
    dense: { steps: 100, until: 0 },
    stop: { stepBudget: 500, targetLinks: 8 },
    polish: { steps: 20 },
  };
}

/** A run that finishes within a few hundred steps: dense phase, one cut round, polish. */
export function tinySchedule(seed = 1): Record<string, unknown> {
  return {
    ...longSchedule(seed),
    dense: { steps: 20, until: 0 },
    stop: { stepBudget: 60, targetLinks: 8 },
    polish: { steps: 5 },
  };
}

export async function waitFor<T>(what: string, f: () => T | undefined | false, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** waitFor with an asynchronous condition (an API call over HTTP). */
export async function waitForAsync(what: string, f: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await f()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
