/**
 * The API contract (src-shared/api): every method declares its schemas, `dispatch`
 * validates and maps failures to error codes, the typed client unwraps replies and filters
 * events, and the record/command/query schemas refuse what they must (non-finite numbers,
 * incomplete commands, SQL-ish field names).
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createClient, type ApiTransport } from '../../src-shared/api/client';
import {
  API,
  API_EVENTS,
  API_METHODS,
  ConditionSchema,
  RunCommandSchema,
  RunQuerySchema,
  type ApiEvent,
  type ApiHandlers,
  type ApiMethod,
} from '../../src-shared/api/contract';
import { ApiError, dispatch, type ApiReply } from '../../src-shared/api/dispatch';
import { MaybeFiniteSchema, MetricSchema, type RunSummary } from '../../src-shared/api/records';
import { runSummary } from '../helpers/run-summary';

/** A handler table where every method fails loudly unless overridden. */
function stubHandlers(overrides: Partial<Record<ApiMethod, (p: never) => unknown>> = {}): ApiHandlers {
  const table: Record<string, (p: unknown) => unknown> = {};
  for (const m of API_METHODS) {
    table[m] = () => {
      throw new Error(`${m} is not stubbed`);
    };
  }
  Object.assign(table, overrides);
  return table as unknown as ApiHandlers;
}

type Failure = Extract<ApiReply, { ok: false }>;
function failure(reply: ApiReply): Failure['error'] {
  if (reply.ok) throw new Error(`expected a failure, got ${JSON.stringify(reply)}`);
  return reply.error;
}

const summary = (id: number): RunSummary => runSummary({ id, name: `run ${id}`, createdAt: 1_700_000_000_000, stepBudget: 100 });

describe('the contract', () => {
  it('declares a params and a result schema for every method, and object params everywhere', () => {
    expect(API_METHODS.length).toBeGreaterThan(10);
    expect(API_METHODS).toEqual(Object.keys(API));
    for (const m of API_METHODS) {
      const { params, result } = API[m];
      expect(params, m).toBeInstanceOf(z.ZodType);
      expect(result, m).toBeInstanceOf(z.ZodType);
      // parameters are always an object: a bare value is refused
      expect(params.safeParse('x').success, m).toBe(false);
      expect(params.safeParse(42).success, m).toBe(false);
    }
    for (const [name, schema] of Object.entries(API_EVENTS)) expect(schema, name).toBeInstanceOf(z.ZodType);
  });
});

describe('dispatch', () => {
  it('refuses wrongly typed params with bad-request naming the method and the path', async () => {
    const get = vi.fn();
    const handlers = stubHandlers({ 'runs.get': get });
    const e1 = failure(await dispatch(handlers, 'runs.get', { id: 'seven' }));
    expect(e1.code).toBe('bad-request');
    expect(e1.message.startsWith('runs.get: id: ')).toBe(true);

    const e2 = failure(await dispatch(handlers, 'runs.get', { id: 1.5 }));
    expect(e2.code).toBe('bad-request');
    expect(e2.message.startsWith('runs.get: id: ')).toBe(true);

    const e3 = failure(await dispatch(handlers, 'runs.get', {}));
    expect(e3.code).toBe('bad-request');
    expect(e3.message.startsWith('runs.get: id: ')).toBe(true);

    // a nested path is named in full
    const e4 = failure(await dispatch(handlers, 'runs.control', { id: 3, command: { kind: 'prune', threshold: 'big' } }));
    expect(e4.code).toBe('bad-request');
    expect(e4.message.startsWith('runs.control: command.threshold: ')).toBe(true);

    const e5 = failure(await dispatch(handlers, 'runs.trash', { ids: [1, 'two', 3] }));
    expect(e5.message.startsWith('runs.trash: ids.1: ')).toBe(true);

    // params that are not an object at all
    const e6 = failure(await dispatch(handlers, 'runs.get', 'id=1'));
    expect(e6.code).toBe('bad-request');
    expect(e6.message.startsWith('runs.get: ')).toBe(true);

    expect(get).not.toHaveBeenCalled();
  });

  it('refuses unknown methods, including names inherited from Object.prototype', async () => {
    const handlers = stubHandlers();
    for (const m of ['runs.nuke', '', 'toString', '__proto__', 'constructor', 42, undefined, null]) {
      const e = failure(await dispatch(handlers, m, {}));
      expect(e.code, String(m)).toBe('bad-request');
    }
  });

  it('passes the code of an ApiError thrown (or rejected) by a handler', async () => {
    const handlers = stubHandlers({
      'runs.get': ({ id }: { id: number }) => {
        throw new ApiError('not-found', `run ${id} does not exist`);
      },
      'runs.trash': async () => {
        throw new ApiError('conflict', 'still running');
      },
    });
    expect(failure(await dispatch(handlers, 'runs.get', { id: 99 }))).toEqual({ code: 'not-found', message: 'run 99 does not exist' });
    expect(failure(await dispatch(handlers, 'runs.trash', { ids: [1] }))).toEqual({ code: 'conflict', message: 'still running' });
  });

  it('turns any other failure into internal', async () => {
    const handlers = stubHandlers({
      'runs.get': () => {
        throw new Error('disk on fire');
      },
      'runs.snapshots': async () => Promise.reject(new TypeError('x is undefined')),
      'runs.events': () => {
        throw 'a string';
      },
    });
    expect(failure(await dispatch(handlers, 'runs.get', { id: 1 }))).toEqual({ code: 'internal', message: 'disk on fire' });
    expect(failure(await dispatch(handlers, 'runs.snapshots', { id: 1 }))).toEqual({ code: 'internal', message: 'x is undefined' });
    expect(failure(await dispatch(handlers, 'runs.events', { id: 1 }))).toEqual({ code: 'internal', message: 'a string' });
  });

  it('hands the handler parsed params: defaults applied, strings trimmed, unknown keys dropped', async () => {
    const start = vi.fn((p: unknown) => ({ ...summary(5), echo: p }));
    const save = vi.fn(() => ({}));
    const get = vi.fn(() => ({ id: 1 }));
    const handlers = stubHandlers({ 'runs.start': start, 'hyperSets.save': save, 'runs.get': get });

    const reply = await dispatch(handlers, 'runs.start', { schedule: { seed: 4 }, name: '  my run  ' });
    expect(reply.ok).toBe(true);
    expect(start).toHaveBeenCalledTimes(1);
    expect(start.mock.calls[0]![0]).toEqual({ problem: 'duplicates', schedule: { seed: 4 }, name: 'my run' });

    await dispatch(handlers, 'hyperSets.save', { name: 'fast', schedule: {} });
    expect(save.mock.calls[0]).toEqual([{ name: 'fast', description: '', schedule: {} }]);

    await dispatch(handlers, 'runs.get', { id: 7, sql: 'DROP TABLE runs' });
    expect(get.mock.calls[0]).toEqual([{ id: 7 }]);
  });

  it('returns what the handler returns', async () => {
    const handlers = stubHandlers({ 'runs.trash': async ({ ids }: { ids: number[] }) => ({ count: ids.length * 10 }) });
    expect(await dispatch(handlers, 'runs.trash', { ids: [4, 5] })).toEqual({ ok: true, result: { count: 20 } });
  });

  it('treats undefined params as {}', async () => {
    const list = vi.fn(() => [{ id: 'duplicates', name: 'Duplicates', description: '' }]);
    const runs = vi.fn(() => ({ total: 0, runs: [] }));
    const handlers = stubHandlers({ 'problems.list': list, 'runs.list': runs });
    expect(await dispatch(handlers, 'problems.list', undefined)).toEqual({
      ok: true,
      result: [{ id: 'duplicates', name: 'Duplicates', description: '' }],
    });
    expect(list.mock.calls[0]).toEqual([{}]);
    expect((await dispatch(handlers, 'runs.list', undefined)).ok).toBe(true);
    expect(runs.mock.calls[0]).toEqual([{}]);
    // …but a method with required params still refuses them
    const e = failure(await dispatch(handlers, 'runs.get', undefined));
    expect(e.code).toBe('bad-request');
    expect(e.message.startsWith('runs.get: id: ')).toBe(true);
  });
});

describe('RunCommandSchema', () => {
  const ok = (c: unknown): boolean => RunCommandSchema.safeParse(c).success;

  it('accepts the documented commands', () => {
    expect(ok({ kind: 'stop' })).toBe(true);
    expect(ok({ kind: 'pause' })).toBe(true);
    expect(ok({ kind: 'resume' })).toBe(true);
    expect(ok({ kind: 'prune', threshold: 0.01 })).toBe(true);
    expect(ok({ kind: 'set', lambda1: 0 })).toBe(true);
    expect(ok({ kind: 'set', lr: 0.001 })).toBe(true);
    expect(ok({ kind: 'set', lambda1: 0.003, lr: 0.01 })).toBe(true);
  });

  it('refuses a set with neither lambda1 nor lr, or with values out of range', () => {
    expect(ok({ kind: 'set' })).toBe(false);
    expect(ok({ kind: 'set', lambda1: undefined, lr: undefined })).toBe(false);
    expect(ok({ kind: 'set', lambda1: -0.001 })).toBe(false);
    expect(ok({ kind: 'set', lr: 0 })).toBe(false);
    expect(ok({ kind: 'set', lr: Number.POSITIVE_INFINITY })).toBe(false);
    expect(ok({ kind: 'set', lambda1: Number.NaN })).toBe(false);
  });

  it('refuses a prune threshold that is not a positive finite number', () => {
    for (const threshold of [0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY, '0.1', undefined]) {
      expect(ok({ kind: 'prune', threshold }), String(threshold)).toBe(false);
    }
  });

  it('refuses unknown kinds', () => {
    expect(ok({ kind: 'delete' })).toBe(false);
    expect(ok({})).toBe(false);
  });
});

describe('MaybeFiniteSchema and MetricSchema', () => {
  it('maps NaN and ±Infinity to null, keeps numbers and null, refuses strings', () => {
    expect(MaybeFiniteSchema.parse(Number.NaN)).toBeNull();
    expect(MaybeFiniteSchema.parse(Number.POSITIVE_INFINITY)).toBeNull();
    expect(MaybeFiniteSchema.parse(Number.NEGATIVE_INFINITY)).toBeNull();
    expect(MaybeFiniteSchema.parse(null)).toBeNull();
    expect(MaybeFiniteSchema.parse(0)).toBe(0);
    expect(MaybeFiniteSchema.parse(-2.5)).toBe(-2.5);
    expect(MaybeFiniteSchema.parse(1e308)).toBe(1e308);
    for (const bad of ['1', 'NaN', 'Infinity', undefined, {}, true]) {
      expect(MaybeFiniteSchema.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  it('accepts a metric whose loss is not finite (stored as null)', () => {
    const m = MetricSchema.parse({
      step: 3,
      phase: 'dense',
      preregLoss: Number.NaN,
      loss: Number.POSITIVE_INFINITY,
      l1: 2.5,
      lambda1: 0.001,
      softLinks: 12,
      wallMs: 4.25,
    });
    expect(m).toEqual({ step: 3, phase: 'dense', preregLoss: null, loss: null, l1: 2.5, lambda1: 0.001, softLinks: 12, wallMs: 4.25 });
  });

  it('refuses metrics with a bad step, phase or soft-link count', () => {
    const good = { step: 1, phase: 'polish', preregLoss: 1, loss: 1, l1: 1, lambda1: 0, softLinks: 1, wallMs: 0 };
    expect(MetricSchema.safeParse(good).success).toBe(true);
    expect(MetricSchema.safeParse({ ...good, step: 0 }).success).toBe(false);
    expect(MetricSchema.safeParse({ ...good, step: 1.5 }).success).toBe(false);
    expect(MetricSchema.safeParse({ ...good, step: '2' }).success).toBe(false);
    expect(MetricSchema.safeParse({ ...good, phase: 'warmup' }).success).toBe(false);
    expect(MetricSchema.safeParse({ ...good, softLinks: 1.5 }).success).toBe(false);
    expect(MetricSchema.safeParse({ ...good, loss: 'NaN' }).success).toBe(false);
  });
});

describe('ConditionSchema and RunQuerySchema', () => {
  const cond = (field: string, op = '<=', value: unknown = 1) => ConditionSchema.safeParse({ field, op, value }).success;

  it('accepts run fields and schedule paths', () => {
    expect(cond('softLinks')).toBe(true);
    expect(cond('optimizer.lr', '>', 0.001)).toBe(true);
    expect(cond('dense.l1', '!=')).toBe(true);
    expect(cond('rounds.l1.start', '=', -3)).toBe(true);
  });

  it('refuses SQL-ish and otherwise odd field names', () => {
    for (const field of [
      'x; DROP TABLE runs',
      "name' OR '1'='1",
      'softLinks--',
      'a b',
      'steps)',
      '1steps',
      '_hidden',
      '.lr',
      '',
      'json_extract(schedule,"$.seed")',
      'x'.repeat(101),
    ]) {
      expect(cond(field), field).toBe(false);
    }
  });

  it('refuses bad operators and non-finite values', () => {
    expect(cond('steps', 'LIKE')).toBe(false);
    expect(cond('steps', '<', Number.NaN)).toBe(false);
    expect(cond('steps', '<', Number.POSITIVE_INFINITY)).toBe(false);
    expect(cond('steps', '<', '5')).toBe(false);
  });

  it('refuses a query whose condition or sort field is SQL-ish, and dispatch names the path', async () => {
    expect(
      RunQuerySchema.safeParse({ where: [{ field: 'softLinks', op: '<', value: 10 }], sort: { field: 'finalLoss', dir: 'asc' } }).success,
    ).toBe(true);
    expect(RunQuerySchema.safeParse({ where: [{ field: 'x; DROP TABLE runs', op: '<', value: 10 }] }).success).toBe(false);
    expect(RunQuerySchema.safeParse({ sort: { field: 'id; DROP TABLE runs', dir: 'asc' } }).success).toBe(false);
    expect(RunQuerySchema.safeParse({ sort: { field: 'id', dir: 'asc; DROP TABLE runs' } }).success).toBe(false);
    expect(RunQuerySchema.safeParse({ status: ['running', 'exploded'] }).success).toBe(false);

    const list = vi.fn(() => ({ total: 0, runs: [] }));
    const e = failure(
      await dispatch(stubHandlers({ 'runs.list': list }), 'runs.list', {
        where: [
          { field: 'steps', op: '>', value: 1 },
          { field: 'x; DROP TABLE runs', op: '<', value: 10 },
        ],
      }),
    );
    expect(e.code).toBe('bad-request');
    expect(e.message.startsWith('runs.list: where.1.field: ')).toBe(true);
    expect(list).not.toHaveBeenCalled();
  });
});

describe('createClient over an in-memory transport', () => {
  function setup(overrides: Partial<Record<ApiMethod, (p: never) => unknown>>) {
    const listeners = new Set<(name: string, data: unknown) => void>();
    const handlers = stubHandlers(overrides);
    const requests: { method: string; params: unknown }[] = [];
    const transport: ApiTransport = {
      request: async (method, params) => {
        requests.push({ method, params });
        // what a real transport does: the params cross as plain data
        return dispatch(handlers, method, JSON.parse(JSON.stringify(params)));
      },
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const push = (name: string, data: unknown): void => {
      for (const l of listeners) l(name, data);
    };
    return { client: createClient(transport), push, requests, listeners };
  }

  it('resolves with the result of a successful call', async () => {
    const { client, requests } = setup({ 'runs.trash': ({ ids }: { ids: number[] }) => ({ count: ids.length }) });
    await expect(client['runs.trash']({ ids: [1, 2, 3] })).resolves.toEqual({ count: 3 });
    expect(requests).toEqual([{ method: 'runs.trash', params: { ids: [1, 2, 3] } }]);
  });

  it('rejects with an ApiError carrying the code of an error reply', async () => {
    const { client } = setup({
      'runs.get': ({ id }: { id: number }) => {
        throw new ApiError('not-found', `run ${id} does not exist`);
      },
    });
    const err = await client['runs.get']({ id: 12 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('not-found');
    expect((err as ApiError).message).toBe('run 12 does not exist');

    // invalid params are refused on the far side and come back as bad-request
    const bad = await client['runs.get']({ id: -1 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).code).toBe('bad-request');
    expect((bad as ApiError).message.startsWith('runs.get: id: ')).toBe(true);
  });

  it('rejects a malformed reply as internal', async () => {
    const client = createClient({ request: async () => 'garbage', subscribe: () => () => {} });
    const err = await client['problems.list']({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('internal');
  });

  it('delivers only events that validate against API_EVENTS', () => {
    const { client, push, listeners } = setup({});
    const got: ApiEvent[] = [];
    const off = client.on((e) => got.push(e));
    expect(listeners.size).toBe(1);

    push('run.removed', { id: 4 });
    push('run.nonsense', { id: 4 }); // unknown name
    push('run.removed', { id: 'four' }); // malformed payload
    push('run.removed', undefined);
    push('run.changed', { ...summary(2), status: 'exploded' }); // malformed payload
    push('run.changed', summary(2));
    push('run.progress', {
      runId: 2,
      step: 10,
      stepBudget: 100,
      phase: 'dense',
      softLinks: 50,
      preregLoss: Number.NaN, // not finite: becomes null
      lambda1: 0.001,
      wallMs: 12,
    });
    push('run.progress', { runId: 2, step: 10 }); // incomplete

    expect(got.map((e) => e.name)).toEqual(['run.removed', 'run.changed', 'run.progress']);
    expect(got[0]).toEqual({ name: 'run.removed', data: { id: 4 } });
    expect(got[1]).toEqual({ name: 'run.changed', data: summary(2) });
    expect(got[2]!.data).toMatchObject({ runId: 2, preregLoss: null, lambda1: 0.001 });

    off();
    expect(listeners.size).toBe(0);
    push('run.removed', { id: 5 });
    expect(got).toHaveLength(3);
  });

  // names inherited from Object.prototype must not be taken for event schemas
  it('drops events whose name is inherited from Object.prototype', () => {
    const { client, push } = setup({});
    const got: ApiEvent[] = [];
    client.on((e) => got.push(e));
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(() => push(name, {}), name).not.toThrow();
    }
    expect(got).toEqual([]);
  });
});
