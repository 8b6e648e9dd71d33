/**
 * `npm run lab`: `--port N` listens on N (a taken port is refused in words), and the check
 * that decides whether the renderer must be built before it is served — the same function
 * the tests' global setup uses (src-main/host/app-build.ts) — on a real directory tree.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { appBuildNeeded, ensureAppBuilt, rendererBuildNeeded } from '../../src-main/host/app-build';
import { ROOT } from '../helpers/cli';
import { startHostProcess } from '../helpers/host';
import { tempDir } from '../helpers/lab';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('npm run lab --port', () => {
  it('listens on the port it is given', async () => {
    const port = await freePort();
    const host = await startHostProcess(join(tmp.dir, 'port.sqlite'), ['--port', String(port)]);
    try {
      expect(host.port).toBe(port);
      const res = await fetch(`http://127.0.0.1:${port}/api/lab.status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
        body: '{}',
      });
      expect(res.status).toBe(200);
    } finally {
      await host.stop();
    }
  }, 60_000);

  it('a port in use is refused in words, not with a stack trace', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    try {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src-main/host/main.ts', '--db', join(tmp.dir, 'busy.sqlite'), '--port', String(port), '--no-build'],
        { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`lab: cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  }, 60_000);
});

describe('whether the app must be built (one check for the lab and the tests)', () => {
  const root = join(tmp.dir, 'project');
  /** Writes a file with this modification time (its directory, which the check reads too, gets it as well). */
  const touch = (path: string, seconds: number): void => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'x');
    utimesSync(path, seconds, seconds);
    utimesSync(join(path, '..'), seconds, seconds);
  };

  it('missing, older than a source, then current', async () => {
    mkdirSync(root, { recursive: true });
    touch(join(root, 'src-renderer', 'App.svelte'), 1000);
    touch(join(root, 'src-shared', 'x.ts'), 1000);
    touch(join(root, 'src-main', 'y.ts'), 1000);
    expect(rendererBuildNeeded(root)).toBe('out/renderer is missing');
    touch(join(root, 'out', 'renderer', 'index.html'), 2000);
    expect(rendererBuildNeeded(root)).toBeUndefined();
    expect(appBuildNeeded(root)).toBe('out/main or out/preload is missing');
    for (const f of ['out/main/index.js', 'out/main/run-worker.js', 'out/preload/index.cjs']) touch(join(root, f), 2000);
    expect(appBuildNeeded(root)).toBeUndefined();
    // a source edited after the build (the directory's own time counts too)
    touch(join(root, 'src-renderer', 'lib', 'new.ts'), 3000);
    utimesSync(join(root, 'src-renderer'), 3000, 3000); // it gained a directory
    expect(rendererBuildNeeded(root)).toBe('out/renderer is older than its sources');
    touch(join(root, 'src-main', 'z.ts'), 3000);
    // a current tree builds nothing
    touch(join(root, 'out', 'renderer', 'index.html'), 4000);
    expect(rendererBuildNeeded(root)).toBeUndefined();
    const built: string[] = [];
    expect(await ensureAppBuilt(root, { onBuild: (why) => built.push(why) })).toBeUndefined();
    expect(built).toEqual([]);
    expect(appBuildNeeded(root)).toBe('out/main or out/preload is older than its sources');
  });
});
