/**
 * The Cluster settings: stored main-side in the lab's data folder (a file only its owner can
 * read), answered to the API only in redacted form — through the real browser host's HTTP
 * API, no answer ever carries the password; a password left out is kept, '' removes it; a
 * URL carrying credentials or of another scheme is refused naming the field, and nothing
 * changes.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSettings, CLUSTER_SETTINGS_FILE } from '../../src-main/lab/cluster-settings';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { tempDir } from '../helpers/lab';

const PASSWORD = 'S3cret-of-the-cluster';
const tmp = tempDir();
let host: HostProcess;

async function call(
  method: string,
  params: unknown,
): Promise<{ text: string; body: { ok: boolean; result?: any; error?: { message: string } } }> {
  const res = await fetch(`${host.base}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
    body: JSON.stringify(params),
  });
  const text = await res.text();
  return { text, body: JSON.parse(text) };
}

describe('cluster settings', () => {
  beforeAll(async () => {
    host = await startHostProcess(join(tmp.dir, 'lab.sqlite'), ['--concurrency', '1']);
  }, 60_000);
  afterAll(async () => {
    await host?.stop();
    tmp.cleanup();
  });

  it('stores the password main-side only; the API answers whether one is set, never what it is', async () => {
    const empty = await call('settings.cluster', {});
    expect(empty.body.result).toEqual({ url: '', tls: false, user: '', passwordSet: false });

    const saved = await call('settings.saveCluster', { url: 'redis://lab-redis:6380', tls: true, user: 'lab', password: PASSWORD });
    expect(saved.body.ok).toBe(true);
    expect(saved.body.result).toEqual({ url: 'redis://lab-redis:6380', tls: true, user: 'lab', passwordSet: true });
    expect(saved.text).not.toContain(PASSWORD);
    const read = await call('settings.cluster', {});
    expect(read.body.result).toEqual(saved.body.result);
    expect(read.text).not.toContain(PASSWORD);

    // on disk, in the data folder, readable by its owner only
    const file = join(tmp.dir, CLUSTER_SETTINGS_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ password: PASSWORD, user: 'lab' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // the main side's own connection gets it (TLS → rediss://)
    expect(new ClusterSettings(tmp.dir).connectionUrl()).toBe(`rediss://lab:${PASSWORD}@lab-redis:6380`);

    // a password left out is kept; '' removes it
    const kept = await call('settings.saveCluster', { url: 'redis://lab-redis:6381', user: 'lab' });
    expect(kept.body.result).toEqual({ url: 'redis://lab-redis:6381', tls: false, user: 'lab', passwordSet: true });
    expect(new ClusterSettings(tmp.dir).connectionUrl()).toBe(`redis://lab:${PASSWORD}@lab-redis:6381`);
    const cleared = await call('settings.saveCluster', { url: 'redis://lab-redis:6381', user: 'lab', password: '' });
    expect(cleared.body.result.passwordSet).toBe(false);
    await call('settings.saveCluster', { url: 'redis://lab-redis:6381', user: 'lab', password: PASSWORD });
  });

  it('refuses a URL with credentials or of another scheme, naming the field, and changes nothing', async () => {
    const before = readFileSync(join(tmp.dir, CLUSTER_SETTINGS_FILE), 'utf8');
    for (const url of [`redis://lab:${PASSWORD}@lab-redis:6379`, 'http://lab-redis:6379', 'lab-redis:6379']) {
      const r = await call('settings.saveCluster', { url });
      expect(r.body.ok).toBe(false);
      expect(r.body.error?.message).toMatch(/url: must look like redis:\/\/host:6379/);
      expect(r.text).not.toContain(PASSWORD);
    }
    expect(readFileSync(join(tmp.dir, CLUSTER_SETTINGS_FILE), 'utf8')).toBe(before);
  });
});
