/**
 * The Cluster settings on the main side: a JSON file in the lab's data folder
 * (`cluster-settings.json` beside the database, readable by its owner only) holding the Redis
 * URL, TLS, user and password. The API only ever gets `view()` — the password's presence,
 * not the password; `connectionUrl()` (the full URL with credentials) is for the main side's
 * own connection and is never sent to a front end or written to a log.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../src-shared/api/dispatch';
import { ClusterSettingsSaveSchema, type ClusterSettingsView } from '../../src-shared/api/cluster-settings';

export const CLUSTER_SETTINGS_FILE = 'cluster-settings.json';

const StoredSchema = z.object({ url: z.string(), tls: z.boolean(), user: z.string(), password: z.string() });
type Stored = z.infer<typeof StoredSchema>;

const EMPTY: Stored = { url: '', tls: false, user: '', password: '' };

export class ClusterSettings {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, CLUSTER_SETTINGS_FILE);
  }

  /** What is stored; a missing file is no cluster; a damaged one is an error naming the file. */
  private read(): Stored {
    if (!existsSync(this.file)) return EMPTY;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new ApiError(
        'internal',
        `the cluster settings file ${this.file} is not JSON (${e instanceof Error ? e.message : String(e)}): save the settings again`,
      );
    }
    const r = StoredSchema.safeParse(parsed);
    if (!r.success) throw new ApiError('internal', `the cluster settings file ${this.file} is damaged: save the settings again`);
    return r.data;
  }

  /** The settings without the password. */
  view(): ClusterSettingsView {
    const s = this.read();
    return { url: s.url, tls: s.tls, user: s.user, passwordSet: s.password !== '' };
  }

  /** Validates and stores new settings (written whole, then renamed: never half a file); answers the view. */
  save(params: unknown): ClusterSettingsView {
    const r = ClusterSettingsSaveSchema.safeParse(params);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new ApiError('bad-request', `${i?.path.join('.') || 'settings'}: ${i?.message ?? 'invalid'}`);
    }
    const before = this.read();
    const next: Stored = { url: r.data.url, tls: r.data.tls, user: r.data.user, password: r.data.password ?? before.password };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
    return this.view();
  }

  /** The URL to connect with (credentials included; main side only), or undefined when no cluster is set. */
  connectionUrl(): string | undefined {
    const s = this.read();
    if (s.url === '') return undefined;
    const u = new URL(s.url);
    if (s.tls) u.protocol = 'rediss:';
    if (s.user) u.username = encodeURIComponent(s.user);
    if (s.password) u.password = encodeURIComponent(s.password);
    return u.toString();
  }
}
