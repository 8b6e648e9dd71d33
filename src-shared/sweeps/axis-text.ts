/**
 * An axis written as text, as the command line (`--over seed=1-10`) and the New-run form
 * take it: `PATH=FROM-TO` an integer range (inclusive), `PATH=FROM-TO/STEP` every STEP-th,
 * `PATH=V1,V2,…` a list of values (each read as JSON when it is JSON — numbers, true, null —
 * else as a string), `PATH=random:MIN..MAX:COUNT[:log][:seed=S]` seeded samples.
 */
import type { AxisInput } from './sweep-spec';

/** Text that is not an axis: the message says what was expected. */
export class AxisTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AxisTextError';
  }
}

const RANGE = /^(-?\d+)-(-?\d+)(?:\/(\d+))?$/;
const RANDOM = /^random:([^:]+)\.\.([^:]+):(\d+)((?::log|:seed=\d+)*)$/;

type AxisValue = Extract<AxisInput, { kind: 'values' }>['values'][number];

function value(text: string): AxisValue {
  const t = text.trim();
  try {
    return JSON.parse(t) as AxisValue;
  } catch {
    return t;
  }
}

export function parseAxisText(text: string): AxisInput {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new AxisTextError(`"${text}" is not PATH=VALUES (e.g. seed=1-10 or optimizer.lr=0.003,0.01)`);
  const path = text.slice(0, eq).trim();
  const rest = text.slice(eq + 1).trim();
  if (rest === '') throw new AxisTextError(`${path}: no values after "="`);
  const range = RANGE.exec(rest);
  if (range) {
    return { kind: 'range', path, from: Number(range[1]), to: Number(range[2]), ...(range[3] ? { step: Number(range[3]) } : {}) };
  }
  const random = RANDOM.exec(rest);
  if (random) {
    const [min, max] = [Number(random[1]), Number(random[2])];
    if (!Number.isFinite(min) || !Number.isFinite(max)) throw new AxisTextError(`${path}: random bounds must be numbers, got "${rest}"`);
    const opts = random[4] ?? '';
    const seed = /:seed=(\d+)/.exec(opts);
    return {
      kind: 'random',
      path,
      min,
      max,
      count: Number(random[3]),
      seed: seed ? Number(seed[1]) : 1,
      ...(opts.includes(':log') ? { scale: 'log' as const } : {}),
    };
  }
  if (rest.startsWith('random:')) throw new AxisTextError(`${path}: write random samples as random:MIN..MAX:COUNT[:log][:seed=S]`);
  return { kind: 'values', path, values: rest.split(',').map(value) };
}
