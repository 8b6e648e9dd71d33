/** What crosses Redis as text: weights bit for bit, axes written on the command line, URLs without passwords. */
import { describe, expect, it } from 'vitest';
import { parseAxisText } from '../../src-shared/sweeps/axis-text';
import { checkRedisUrl, redactUrl } from '../../src-main/cluster/redis-connect';
import { decodeWire, encodeWire } from '../../src-main/cluster/wire';

describe('wire encoding', () => {
  it('carries a snapshot message with its Float64Array bit for bit (NaN, -0, subnormals, infinities)', () => {
    const weights = new Float64Array([0.1, -0, Number.NaN, 5e-324, -Infinity, Infinity, 1 / 3, -123456.789]);
    const m = { kind: 'snapshot', seq: 7, step: 100, links: [{ to: 'a', toPort: 'x', from: 'b', fromPort: 'y' }], weights };
    const back = decodeWire(encodeWire(m)) as typeof m;
    expect(back.weights).toBeInstanceOf(Float64Array);
    expect(Buffer.from(back.weights.buffer).equals(Buffer.from(weights.buffer))).toBe(true);
    expect({ ...back, weights: null }).toEqual({ ...m, weights: null });
    // a view into a larger buffer carries only its own elements
    const view = new Float64Array(new Float64Array([1, 2, 3, 4]).buffer, 8, 2);
    const viewBack = decodeWire(encodeWire({ w: view })) as { w: Float64Array };
    expect(Array.from(viewBack.w)).toEqual([2, 3]);
  });
});

describe('axes as text', () => {
  it('reads ranges, lists and random samples', () => {
    expect(parseAxisText('seed=1-10')).toEqual({ kind: 'range', path: 'seed', from: 1, to: 10 });
    expect(parseAxisText('dense.steps=100-400/100')).toEqual({ kind: 'range', path: 'dense.steps', from: 100, to: 400, step: 100 });
    expect(parseAxisText('optimizer.lr=0.003,0.01,0.02')).toEqual({ kind: 'values', path: 'optimizer.lr', values: [0.003, 0.01, 0.02] });
    expect(parseAxisText('rounds.retrain.optimizer=reset,trim')).toEqual({
      kind: 'values',
      path: 'rounds.retrain.optimizer',
      values: ['reset', 'trim'],
    });
    expect(parseAxisText('optimizer.lr=random:0.001..0.1:5:log:seed=3')).toEqual({
      kind: 'random',
      path: 'optimizer.lr',
      min: 0.001,
      max: 0.1,
      count: 5,
      seed: 3,
      scale: 'log',
    });
    expect(() => parseAxisText('seed')).toThrow('is not PATH=VALUES');
    expect(() => parseAxisText('seed=')).toThrow('seed: no values after "="');
    expect(() => parseAxisText('x=random:1..')).toThrow('random:MIN..MAX:COUNT');
  });
});

describe('cluster URLs', () => {
  it('are redis:// or rediss://, and are printed without credentials', () => {
    expect(() => checkRedisUrl('http://host:6379')).toThrow('must start with redis://');
    expect(() => checkRedisUrl('not a url')).toThrow('must look like redis://host:6379');
    expect(() => checkRedisUrl('rediss://host:6380')).not.toThrow();
    expect(redactUrl('redis://user:s3cret@host:6379/0')).toBe('redis://***:***@host:6379/0');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
