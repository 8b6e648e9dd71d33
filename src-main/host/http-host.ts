/**
 * The browser host: serves the built renderer and the lab API on 127.0.0.1 so the real UI
 * runs in any browser (and in end-to-end tests) without Electron.
 *
 * - `POST /api/<method>` with a JSON body and `Authorization: Bearer <token>`: the reply is
 *   the wire form `{ok, result}` / `{ok: false, error: {code, message}}`.
 * - `GET /events?token=…` upgrades to a WebSocket that pushes `{name, data}` events.
 * - Anything else is a file of the built renderer. The page learns the token from the URL
 *   fragment (`/#token=…`), which browsers never send to a server.
 *
 * The session token is random per start; requests without it, from another origin, for
 * another host name (DNS rebinding: only 127.0.0.1 and localhost on our port are served),
 * too large, or not JSON are refused and change nothing. A WebSocket client that misbehaves
 * (invalid UTF-8, an oversized frame) is disconnected alone; nothing a client sends can end
 * the host.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiHandlers } from '../../src-shared/api/contract';
import { API } from '../../src-shared/api/contract';
import { ApiError, dispatch, formatIssues, toErrorBody, type ApiErrorCode, type WireReply } from '../../src-shared/api/dispatch';
import type { EventHub } from '../lab/event-hub';

/** Where reads go instead of the in-process handlers (reader threads: lab/reader-pool.ts). */
export interface HostReader {
  handles(method: string): boolean;
  call(method: string, params: unknown): Promise<WireReply>;
  /** The runs' export as JSON text pieces (bounded memory); throws before the first piece for a missing run. */
  exportPieces(ids: number[]): AsyncIterable<string>;
}

export interface HostOptions {
  readonly handlers: ApiHandlers;
  /** Reads off the main thread; without it every call runs in-process. */
  readonly reader?: HostReader;
  readonly hub: EventHub;
  /** The built renderer (out/renderer); without it only the API is served. */
  readonly rendererDir?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly token?: string;
  /** Largest request body accepted (default 64 MiB). */
  readonly maxBodyBytes?: number;
}

export interface Host {
  readonly port: number;
  readonly token: string;
  /** The address to open, token included. */
  readonly url: string;
  close(): Promise<void>;
}

const STATUS: Record<ApiErrorCode, number> = {
  'bad-request': 400,
  unauthorized: 401,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  internal: 500,
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: WireReply): void {
  // a result serialised by a reader thread is passed on as it is
  const text = body.ok && 'json' in body ? `{"ok":true,"result":${body.json}}` : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

const CODES = new Set<string>(Object.keys(STATUS));
const codeOf = (e: unknown): ApiErrorCode => {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && CODES.has(c) ? (c as ApiErrorCode) : 'internal';
};

function refuse(res: ServerResponse, code: ApiErrorCode, message: string): void {
  sendJson(res, STATUS[code], { ok: false, error: { code, message } });
}

/** Reads a body up to `limit` bytes; undefined when it is larger (the rest is drained). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      resolveBody(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolveBody(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startHost(opts: HostOptions): Promise<Host> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const limit = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const rendererDir = opts.rendererDir ? resolve(opts.rendererDir) : undefined;
  let origin = '';

  const allowedOrigin = (req: IncomingMessage) => {
    const o = req.headers.origin;
    return o === undefined || o === origin || o === origin.replace('127.0.0.1', 'localhost');
  };
  /** The Host header names this server: 127.0.0.1 or localhost with our port (a rebound DNS name does not). */
  const allowedHost = (req: IncomingMessage) => {
    const h = (req.headers.host ?? '').toLowerCase();
    return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
  };

  async function api(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 'bad-request', 'use POST for API calls');
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), token))
      return refuse(res, 'unauthorized', 'missing or wrong session token');
    if (!allowedOrigin(req)) return refuse(res, 'unauthorized', `requests from ${req.headers.origin} are not allowed`);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return refuse(res, 'bad-request', 'the body must be JSON (content-type: application/json)');
    const body = await readBody(req, limit);
    if (!body) return refuse(res, 'too-large', `the request body is larger than ${limit} bytes`);
    let params: unknown;
    try {
      params = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch (e) {
      return refuse(res, 'bad-request', `the body is not valid JSON: ${(e as Error).message}`);
    }
    let name: string;
    try {
      name = decodeURIComponent(method);
    } catch {
      return refuse(res, 'bad-request', `the method name ${JSON.stringify(method.slice(0, 100))} is not valid percent-encoding`);
    }
    const reader = opts.reader;
    if (reader && name === 'runs.export') return exportStream(res, reader, params);
    const reply = reader?.handles(name) ? await reader.call(name, params) : await dispatch(opts.handlers, name, params);
    sendJson(res, reply.ok ? 200 : STATUS[reply.error.code], reply);
  }

  /** `runs.export` streamed piece by piece from a reader thread, writing only as fast as the client reads. */
  async function exportStream(res: ServerResponse, reader: HostReader, params: unknown): Promise<void> {
    const parsed = API['runs.export'].params.safeParse(params ?? {});
    if (!parsed.success) return refuse(res, 'bad-request', `runs.export: ${formatIssues(parsed.error.issues)}`);
    const pieces = reader.exportPieces(parsed.data.ids)[Symbol.asyncIterator]();
    let first: IteratorResult<string>;
    try {
      first = await pieces.next();
    } catch (e) {
      const body = e instanceof ApiError ? toErrorBody(e) : { code: codeOf(e), message: e instanceof Error ? e.message : String(e) };
      return sendJson(res, STATUS[body.code], { ok: false, error: body });
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    let aborted = false;
    res.on('close', () => (aborted = !res.writableFinished));
    const write = async (text: string) => {
      if (!res.write(text)) await new Promise<void>((r) => res.once('drain', () => r()).once('close', () => r()));
    };
    try {
      await write('{"ok":true,"result":');
      for (let r = first; !r.done; r = await pieces.next()) {
        if (aborted) break;
        await write(r.value);
      }
      if (aborted) await pieces.return?.(undefined);
      else res.end('}');
    } catch {
      // a piece could not be read (a damaged row): cut the response short, so the client sees a failed download and no half document
      res.destroy();
    }
  }

  function file(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (!rendererDir) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no renderer build: run `npm run build` first');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path === '/' ? '/index.html' : path);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
      return;
    }
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    const full = resolve(rendererDir, rel);
    if (!(full === rendererDir || full.startsWith(rendererDir + sep)) || !existsSync(full) || !statSync(full).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(full)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(full).pipe(res);
  }

  const server = createServer((req, res) => {
    if (!allowedHost(req)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end(`this server answers only to 127.0.0.1:${port} and localhost:${port}`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/api\/([^/]+)$/.exec(url.pathname);
    if (m) {
      api(req, res, m[1] as string).catch((e: unknown) => refuse(res, 'internal', e instanceof Error ? e.message : String(e)));
    } else {
      file(req, res, url.pathname);
    }
  });

  // a client (a browser, the tests' fetch) keeps idle connections for the time the server
  // announces; a long announced time makes the server closing one under a client's new request
  // (when the host was busy or paused) rare
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = url.searchParams.get('token') ?? '';
    // a socket that fails before or during the upgrade is that client's problem only
    socket.on('error', () => socket.destroy());
    if (url.pathname !== '/events' || !allowedHost(req) || !sameToken(given, token) || !allowedOrigin(req)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // events only flow out; anything a client sends is ignored, and a protocol error
      // (invalid UTF-8, a frame over maxPayload) closes that client alone
      ws.on('error', () => {
        sockets.delete(ws);
        ws.terminate();
      });
      ws.on('close', () => sockets.delete(ws));
    });
  });
  wss.on('error', () => {});
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const unsubscribe = opts.hub.subscribe((e) => {
    const text = JSON.stringify(e);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text, () => {}); // a failed send closes that socket
  });

  let port = 0;
  await new Promise<void>((done, fail) => {
    server.once('error', fail); // e.g. EADDRINUSE: the port is taken
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;
  return {
    port,
    token,
    url: `${origin}/#token=${token}`,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}

export const RENDERER_DIR = join('out', 'renderer');
