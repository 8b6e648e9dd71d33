/**
 * Messages and jobs as text for Redis (streams and BullMQ job data carry strings and JSON):
 * JSON, with a Float64Array (a snapshot's weights) written as `{"$f64": base64 of its bytes}`
 * so the weights arrive bit for bit. What is decoded is validated by the receiver's zod
 * schema (protocol.ts) before anything uses it.
 */

const F64 = '$f64';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Float64Array ? { [F64]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v,
  );
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.keys(v).length === 1 &&
      typeof (v as Record<string, unknown>)[F64] === 'string'
    ) {
      const bytes = Buffer.from((v as Record<string, string>)[F64] as string, 'base64');
      if (bytes.byteLength % 8 !== 0) throw new Error(`a float64 array of ${bytes.byteLength} bytes (not a multiple of 8)`);
      const out = new Float64Array(bytes.byteLength / 8);
      new Uint8Array(out.buffer).set(bytes);
      return out;
    }
    return v;
  });
}
