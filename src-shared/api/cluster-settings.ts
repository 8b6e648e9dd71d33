/**
 * The Cluster settings as the API carries them: the Redis server the lab's cluster backend
 * uses (its URL without credentials), TLS, the user — and the password only on its way in.
 * What the lab answers is the redacted view: `passwordSet` says whether a password is
 * stored, never what it is (credentials stay on the main side).
 */
import { z } from 'zod';

/** A Redis URL without credentials: redis://host:port or rediss://host:port ('' for no cluster). */
export const ClusterUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => u === '' || /^rediss?:\/\/[^\s/@]+(:\d+)?(\/\d*)?$/.test(u), {
    message: 'must look like redis://host:6379 (rediss:// for TLS), without user or password: those have their own fields',
  });

export const ClusterSettingsViewSchema = z.object({
  url: z.string(),
  tls: z.boolean(),
  user: z.string(),
  /** A password is stored (it is never sent to a front end). */
  passwordSet: z.boolean(),
});
export type ClusterSettingsView = z.infer<typeof ClusterSettingsViewSchema>;

export const ClusterSettingsSaveSchema = z.strictObject({
  url: ClusterUrlSchema,
  tls: z.boolean().default(false),
  user: z.string().trim().max(200).default(''),
  /** The password: omitted keeps the stored one, '' removes it. */
  password: z.string().max(1000).optional(),
});
export type ClusterSettingsSave = z.input<typeof ClusterSettingsSaveSchema>;
