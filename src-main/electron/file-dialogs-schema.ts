/**
 * Validation of what the renderer asks of the native open/save dialogs (file names,
 * filters, sizes), in the main process only (it uses Node's Buffer). The request and
 * result types the preload and the renderer see are in src-shared/api/dmm-lab-api.ts (no zod in the
 * preload bundle).
 */
import { z } from 'zod';

/** Largest file saved or opened through the dialogs, in bytes (text counts as its UTF-8 encoding). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

const FileFilterSchema = z.strictObject({
  name: z.string().min(1).max(100),
  extensions: z
    .array(z.string().regex(/^(\*|[A-Za-z0-9]{1,16})$/, 'an extension is letters and digits without the dot, or *'))
    .min(1)
    .max(20),
});

/** A suggested file name: a name only, never a path. */
const FileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !/[/\\\0]/.test(s), 'a file name, not a path (no / or \\)')
  .refine((s) => s !== '.' && s !== '..', 'a file name, not . or ..');

/** A save request whose content is at most `maxBytes` bytes. */
export const saveFileRequestSchema = (maxBytes: number) =>
  z.strictObject({
    defaultName: FileNameSchema,
    filters: z.array(FileFilterSchema).max(10).default([]),
    content: z.union([
      // a UTF-16 unit is at least one UTF-8 byte: the length check first refuses cheaply, then the bytes written
      z
        .string()
        .max(maxBytes, `the content is larger than ${maxBytes} bytes`)
        .refine((text) => Buffer.byteLength(text, 'utf8') <= maxBytes, `the content is larger than ${maxBytes} bytes (UTF-8)`),
      z.instanceof(Uint8Array).refine((b) => b.byteLength <= maxBytes, `the content is larger than ${maxBytes} bytes`),
    ]),
  });

export const SaveFileRequestSchema = saveFileRequestSchema(MAX_FILE_BYTES);

export const OpenFileRequestSchema = z.strictObject({
  filters: z.array(FileFilterSchema).max(10).default([]),
});

/** "defaultName: a file name, not a path (no / or \\)": zod issues as one readable line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(request)'}: ${i.message}`).join('; ');
}
