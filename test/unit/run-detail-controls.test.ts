/** Validation of the run controls' inputs (src-renderer/runs/detail/controls.ts). */
import { describe, expect, it } from 'vitest';
import { RunCommandSchema } from '../../src-shared/api/contract';
import { availableControls, parseNumber, parsePruneThreshold, parseSetCommand } from '../../src-renderer/runs/detail/controls';

describe('parseNumber', () => {
  it('accepts the ways people write numbers and nothing else', () => {
    expect(parseNumber(' 0.05 ')).toBe(0.05);
    expect(parseNumber('5e-2')).toBe(0.05);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('3.')).toBe(3);
    expect(parseNumber('-1')).toBe(-1);
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber('   ')).toBeUndefined();
    for (const bad of ['abc', '0x10', '1,5', '1e', 'Infinity', 'NaN', '1e999', '--1']) expect(parseNumber(bad)).toBeNull();
  });
});

describe('prune threshold', () => {
  it('is a number > 0, as the contract wants', () => {
    expect(parsePruneThreshold('0.01')).toEqual({ ok: true, value: { kind: 'prune', threshold: 0.01 } });
    expect(parsePruneThreshold('')).toEqual({ ok: false, error: 'threshold: enter a number, e.g. 0.01' });
    expect(parsePruneThreshold('0')).toEqual({ ok: false, error: 'threshold: must be greater than 0' });
    expect(parsePruneThreshold('-3')).toMatchObject({ ok: false });
    expect(parsePruneThreshold('lots')).toEqual({ ok: false, error: 'threshold: "lots" is not a number' });
  });
});

describe('set λ1 / learning rate', () => {
  it('takes either or both, λ1 ≥ 0 and lr > 0', () => {
    expect(parseSetCommand('0.002', '')).toEqual({ ok: true, value: { kind: 'set', lambda1: 0.002 } });
    expect(parseSetCommand('', '1e-3')).toEqual({ ok: true, value: { kind: 'set', lr: 0.001 } });
    expect(parseSetCommand('0', '0.01')).toEqual({ ok: true, value: { kind: 'set', lambda1: 0, lr: 0.01 } });
    for (const r of [parseSetCommand('0.002', ''), parseSetCommand('0', '0.01')]) {
      if (r.ok) expect(RunCommandSchema.safeParse(r.value).success).toBe(true);
    }
  });

  it('says what is wrong with each field', () => {
    expect(parseSetCommand('', '')).toEqual({ ok: false, error: 'give λ1, a learning rate or both' });
    expect(parseSetCommand('-1', '0')).toEqual({ ok: false, error: 'λ1: must be 0 or more; learning rate: must be greater than 0' });
    expect(parseSetCommand('x', '')).toEqual({ ok: false, error: 'λ1: "x" is not a number' });
    expect(parseSetCommand('0.1', 'fast')).toEqual({ ok: false, error: 'learning rate: "fast" is not a number' });
  });
});

describe('availableControls', () => {
  it('offers what the run can take in its status', () => {
    expect(availableControls('running')).toEqual({ stop: true, pause: true, resume: false, steer: true });
    expect(availableControls('paused')).toEqual({ stop: true, pause: false, resume: true, steer: true });
    expect(availableControls('queued')).toEqual({ stop: true, pause: false, resume: false, steer: false });
    for (const s of ['completed', 'failed', 'interrupted', 'diverged', 'stopped'] as const) {
      expect(availableControls(s)).toEqual({ stop: false, pause: false, resume: false, steer: false });
    }
  });
});
