/** Starts the browser host (`npm run lab`) as a real child process and talks to it over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from './cli';

export interface HostProcess {
  readonly child: ChildProcess;
  /** What the host wrote on stderr so far. */
  stderr(): string;
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly base: string;
  call(
    method: string,
    params: unknown,
    token?: string,
  ): Promise<{ status: number; body: { ok: boolean; result?: unknown; error?: { code: string; message: string } } }>;
  stop(): Promise<void>;
}

export interface HostProcessOptions {
  /** Extra environment (e.g. DMM_LAB_RESERVE_BYTES for a small disk). */
  readonly env?: Record<string, string>;
  /** Start the host in its own process group (so a test can signal the group, as a terminal's Ctrl+C does). */
  readonly detached?: boolean;
  /** Let the host build a missing or stale renderer, as `npm run lab` does (default: --no-build; the e2e setup builds once). */
  readonly build?: boolean;
}

export async function startHostProcess(db: string, extra: string[] = [], opts: HostProcessOptions = {}): Promise<HostProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/host/main.ts', '--db', db, '--json', ...(opts.build ? [] : ['--no-build']), ...extra],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
      ...(opts.detached ? { detached: true } : {}),
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`host did not start: ${stderr}`)), 30_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
  });
  const info = JSON.parse(line) as { url: string; port: number; token: string };
  const base = `http://127.0.0.1:${info.port}`;
  return {
    child,
    stderr: () => stderr,
    ...info,
    base,
    call: async (method, params, token = info.token) => {
      const res = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(params),
      });
      return {
        status: res.status,
        body: (await res.json()) as { ok: boolean; result?: unknown; error?: { code: string; message: string } },
      };
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}
