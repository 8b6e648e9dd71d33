/**
 * Reaching the cluster's Redis: a URL checked and a first PING answered before anything else
 * happens, so an unreachable or refusing server (wrong address, wrong password, TLS against
 * plain Redis) is one readable error — and the URL's password never appears in a message.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** The cluster cannot be used: the message says why, without credentials. */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

/** The URL with its password (and user) replaced by "***", for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

/** Checks that `url` is a Redis URL (redis:// or rediss:// for TLS). */
export function checkRedisUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ClusterError(`the cluster URL must look like redis://host:6379, got "${redactUrl(url)}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new ClusterError(`the cluster URL must start with redis:// (or rediss:// for TLS), got ${u.protocol}//`);
}

/** Options of our own connections: commands wait through a reconnection instead of failing. */
export function redisOptions(): RedisOptions {
  return { maxRetriesPerRequest: null, connectTimeout: 5000, lazyConnect: true };
}

/** BullMQ's connection to `url` (it keeps reconnecting; the first connection was checked by connectRedis). */
export function bullConnection(url: string): { url: string; maxRetriesPerRequest: null; connectTimeout: number } {
  return { url, maxRetriesPerRequest: null, connectTimeout: 5000 };
}

/** A connected client, or ClusterError naming the server (redacted) and the reason. */
export async function connectRedis(url: string, what = 'the cluster'): Promise<Redis> {
  checkRedisUrl(url);
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: unknown;
  probe.on('error', (e) => (cause ??= e)); // the socket's own error says more than "Connection is closed"
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    probe.disconnect();
    const err = cause ?? e;
    const why = err instanceof Error ? err.message : String(err);
    throw new ClusterError(`cannot reach ${what}'s Redis at ${redactUrl(url)}: ${why.replaceAll(url, redactUrl(url))}`);
  }
  probe.disconnect();
  const client = new Redis(url, redisOptions());
  client.on('error', () => {}); // reconnects by itself; a lost run is reported by its job's state
  await client.connect();
  return client;
}
