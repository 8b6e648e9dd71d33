/**
 * The server side of every transport: validates a request against the contract, calls the
 * handler, and turns every failure into an ApiError with a code the client can act on.
 */
import type { z } from 'zod';
import { API, isApiMethod, type ApiHandlers, type ApiMethod } from './contract';

export type ApiErrorCode = 'bad-request' | 'not-found' | 'conflict' | 'unauthorized' | 'too-large' | 'internal';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The wire form of a reply. */
export type ApiReply =
  { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: { code: ApiErrorCode; message: string } };

/**
 * A reply as a transport may carry it: the result may come as `json` text instead (a read
 * served by a reader thread, already serialised there); clients parse it.
 */
export type WireReply = ApiReply | { readonly ok: true; readonly json: string };

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
}

export async function dispatch(handlers: ApiHandlers, method: unknown, params: unknown): Promise<ApiReply> {
  try {
    if (!isApiMethod(method)) throw new ApiError('bad-request', `unknown method ${JSON.stringify(method)}`);
    const schema = API[method].params;
    const parsed = schema.safeParse(params ?? {});
    if (!parsed.success) throw new ApiError('bad-request', `${method}: ${formatIssues(parsed.error.issues)}`);
    const handler = handlers[method] as (p: unknown) => unknown;
    const result = await handler(parsed.data);
    return { ok: true, result };
  } catch (e) {
    return { ok: false, error: toErrorBody(e) };
  }
}

export function toErrorBody(e: unknown): { code: ApiErrorCode; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** Client side: unwraps a reply, rethrowing errors as ApiError. */
export function unwrapReply<M extends ApiMethod>(method: M, reply: unknown): unknown {
  const r = reply as WireReply | undefined;
  if (!r || typeof r !== 'object' || typeof r.ok !== 'boolean') throw new ApiError('internal', `${method}: malformed reply`);
  if (r.ok) return 'json' in r ? (JSON.parse(r.json) as unknown) : r.result;
  throw new ApiError(r.error.code, r.error.message);
}
