/**
 * Fault injection on the browser host's doors, with a real host process and raw sockets: a
 * client with the token that sends an invalid-UTF-8 frame or a 70 KiB frame is disconnected
 * alone (the host and its other clients go on); a Host header that is not 127.0.0.1 or
 * localhost is refused for HTTP and for the WebSocket (DNS rebinding), token or not; a
 * malformed percent-escape in a method name is a 400.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-fault-ws-');
let host: HostProcess;

beforeAll(async () => {
  host = await startHostProcess(join(tmp.dir, 'lab.sqlite'), ['--concurrency', '1']);
}, 60_000);
afterAll(async () => {
  await host?.stop();
  tmp.cleanup();
});

/** A raw TCP connection that has completed the WebSocket handshake (with `hostHeader`). */
async function rawUpgrade(hostHeader = `127.0.0.1:${host.port}`): Promise<{ socket: Socket; response: string }> {
  const socket = connect(host.port, '127.0.0.1');
  // The host may reset a hostile connection while we are still writing to it (ECONNRESET):
  // that is the behaviour under test, observed through 'close', not an error of the test.
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  socket.write(
    `GET /events?token=${host.token} HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const response = await new Promise<string>((resolve) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(text));
  });
  return { socket, response };
}

/** A masked client frame (FIN set) with the given opcode and payload. */
function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const header =
    len < 126
      ? Buffer.from([0x80 | opcode, 0x80 | len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
        : Buffer.concat([
            Buffer.from([0x80 | opcode, 0x80 | 127]),
            Buffer.from([0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]),
          ]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([header, mask, body]);
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

async function hostAnswers(): Promise<void> {
  const r = await host.call('problems.list', {});
  expect(r.status).toBe(200);
  expect(host.child.exitCode).toBeNull();
}

describe('the browser host against malformed and hostile clients', () => {
  it('an invalid-UTF-8 text frame and a 70 KiB frame each close that client only', async () => {
    // a well-behaved client that must keep its connection throughout
    const good = new WebSocket(`ws://127.0.0.1:${host.port}/events?token=${host.token}`);
    await new Promise((r) => good.once('open', r));
    let goodClosed = false;
    good.on('close', () => (goodClosed = true));

    const a = await rawUpgrade();
    expect(a.response).toMatch(/^HTTP\/1\.1 101/);
    a.socket.write(frame(0x1, Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c]))); // 12 bytes, not UTF-8
    await closed(a.socket);
    await hostAnswers();

    const b = await rawUpgrade();
    expect(b.response).toMatch(/^HTTP\/1\.1 101/);
    b.socket.write(frame(0x2, Buffer.alloc(70 * 1024, 7)));
    await closed(b.socket);
    await hostAnswers();

    // garbage that is not a frame at all
    const c = await rawUpgrade();
    c.socket.write(Buffer.from([0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    await closed(c.socket);
    await hostAnswers();

    expect(goodClosed).toBe(false);
    expect(good.readyState).toBe(WebSocket.OPEN);
    good.close();
  });

  it('refuses another Host header, for HTTP and the WebSocket, even with the token', async () => {
    const ws = await rawUpgrade('evil.example');
    expect(ws.response).toMatch(/^HTTP\/1\.1 401/);
    await closed(ws.socket);

    const socket = connect(host.port, '127.0.0.1');
    socket.on('error', () => {}); // a refused request may end in a reset; we judge by the reply
    await new Promise((r) => socket.once('connect', r));
    const body = '{}';
    socket.write(
      `POST /api/runs.list HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer ${host.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.once('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 421/);
    expect(reply).not.toMatch(/"runs"/);

    // localhost with our port is us
    const local = await rawUpgrade(`localhost:${host.port}`);
    expect(local.response).toMatch(/^HTTP\/1\.1 101/);
    local.socket.destroy();
    await hostAnswers();
  });

  it('a malformed percent-escape in a method name is a bad request, not a server error', async () => {
    const res = await fetch(`${host.base}/api/runs%E0%A4%A`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.error.code).toBe('bad-request');
    expect(body.error.message).toMatch(/percent-encoding/);
    await hostAnswers();
  });
});
