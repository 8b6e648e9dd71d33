/**
 * Validation of the run controls' inputs before anything is sent: a prune threshold and the
 * λ1 / learning-rate overrides, checked against the API contract's own command schema so
 * the form and the server agree, with messages a person can act on.
 */
import { RunCommandSchema, type RunCommand } from '@shared/api/contract';
import type { RunStatus } from '@shared/api/records';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A number typed by a person: "0.05", "5e-2", " 1e-3 " (empty → undefined). */
export function parseNumber(text: string): number | undefined | null {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export function parsePruneThreshold(text: string): Parsed<RunCommand> {
  const v = parseNumber(text);
  if (v === undefined) return { ok: false, error: 'threshold: enter a number, e.g. 0.01' };
  if (v === null) return { ok: false, error: `threshold: "${text.trim()}" is not a number` };
  if (v <= 0) return { ok: false, error: 'threshold: must be greater than 0' };
  return checked({ kind: 'prune', threshold: v });
}

/** λ1 ≥ 0 and/or learning rate > 0; at least one of them. */
export function parseSetCommand(lambda1Text: string, lrText: string): Parsed<RunCommand> {
  const l1 = parseNumber(lambda1Text);
  const lr = parseNumber(lrText);
  const errors: string[] = [];
  if (l1 === null) errors.push(`λ1: "${lambda1Text.trim()}" is not a number`);
  else if (l1 !== undefined && l1 < 0) errors.push('λ1: must be 0 or more');
  if (lr === null) errors.push(`learning rate: "${lrText.trim()}" is not a number`);
  else if (lr !== undefined && lr <= 0) errors.push('learning rate: must be greater than 0');
  if (errors.length || l1 === null || lr === null) return { ok: false, error: errors.join('; ') };
  if (l1 === undefined && lr === undefined) return { ok: false, error: 'give λ1, a learning rate or both' };
  return checked({ kind: 'set', ...(l1 !== undefined ? { lambda1: l1 } : {}), ...(lr !== undefined ? { lr } : {}) });
}

function checked(c: RunCommand): Parsed<RunCommand> {
  const r = RunCommandSchema.safeParse(c);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ') };
}

/** Which controls make sense in a status (the server refuses the others with a conflict). */
export function availableControls(status: RunStatus): { stop: boolean; pause: boolean; resume: boolean; steer: boolean } {
  return {
    stop: status === 'running' || status === 'paused' || status === 'queued',
    pause: status === 'running',
    resume: status === 'paused',
    steer: status === 'running' || status === 'paused',
  };
}
