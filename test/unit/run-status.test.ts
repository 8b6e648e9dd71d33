import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/api/dispatch';
import { FINAL_STATUSES, RUN_STATUSES, isFinalStatus } from '../../src-shared/api/records';
import { checkReopen, checkTransition, CRASH_INTERRUPTED_SQL, RUN_STATUS_RULES } from '../../src-main/store/run-status';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof ApiError ? e.code : 'not an ApiError';
  }
};

describe('the run-status transition table', () => {
  it('agrees with the API contract on which statuses are final', () => {
    for (const s of RUN_STATUSES) expect(RUN_STATUS_RULES[s].final, s).toBe(isFinalStatus(s));
  });

  it('lets a going run move anywhere and a final one nowhere (asking again is a no-op)', () => {
    for (const from of RUN_STATUSES) {
      for (const to of RUN_STATUSES) {
        if (!isFinalStatus(from)) expect(checkTransition(1, from, to)).toBe(true);
        else if (from === to) expect(checkTransition(1, from, to)).toBe(false);
        else expect(code(() => checkTransition(1, from, to))).toBe('conflict');
      }
    }
  });

  it('reopens ended runs only, interrupts running and paused runs after a crash, imports going runs as interrupted', () => {
    for (const s of RUN_STATUSES) expect(code(() => checkReopen(1, s))).toBe(isFinalStatus(s) ? undefined : 'conflict');
    expect(CRASH_INTERRUPTED_SQL).toBe("'running', 'paused'");
    for (const s of RUN_STATUSES) expect(RUN_STATUS_RULES[s].imported).toBe(FINAL_STATUSES.includes(s) ? s : 'interrupted');
  });
});
