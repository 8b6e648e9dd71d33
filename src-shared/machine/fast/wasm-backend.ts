/**
 * The WebAssembly backend of the fast engine: the kernels of src-wasm/kernels.ts (SIMD128),
 * compiled from the base64 module in wasm-binary.ts. Regions are carved out of the module's
 * memory (grown as needed; released regions are reused). `wasmBackend()` returns undefined
 * where WebAssembly SIMD or synchronous compilation is not available, and the caller uses
 * the TypeScript backend instead (same programs, same results to rounding).
 */
import type { FastBackend, Region } from './backend';
import { Op } from './ops';
import { WASM_KERNELS } from './wasm-binary';

const PAGE = 65536;
/** Bytes of regions kept at once; past it every region is taken back (their owners rebuild on use). */
const BUDGET = 96 * 1024 * 1024;

interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  opcodes(p: number): number;
  exec(fBase: number, iBase: number, start: number, end: number, hdr: number): void;
  execK(fBase: number, iBase: number, start: number, end: number, hdr: number, K: number): void;
}

/** Candidates per pass of the forward program (see FastBackend.candidateLanes; even). */
const CANDIDATE_LANES = 16;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const value = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) value[alphabet.charCodeAt(i)] = i;
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(new ArrayBuffer(Math.floor((clean.length * 3) / 4)));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = value[clean.charCodeAt(i)] ?? -1;
    if (v < 0) throw new Error('wasm kernels: corrupt base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

class WasmBackend implements FastBackend {
  readonly name = 'wasm';
  readonly candidateLanes = CANDIDATE_LANES;
  private top: number;
  private readonly base: number;
  private readonly free: { at: number; bytes: number }[] = [];
  /** Generation of the memory layout: regions of an older one are dead. */
  private generation = 0;

  constructor(private readonly x: Exports) {
    this.base = x.heapBase();
    this.top = this.base;
  }

  private reserve(bytes: number): number {
    const i = this.free.findIndex((b) => b.bytes >= bytes);
    if (i >= 0) return this.free.splice(i, 1)[0]!.at;
    if (this.top + bytes > this.base + BUDGET && this.top > this.base) {
      // machines that were dropped never release their regions: start over
      this.generation++;
      this.free.length = 0;
      this.top = this.base;
    }
    const at = this.top;
    this.top += bytes;
    const need = this.top - this.x.memory.buffer.byteLength;
    if (need > 0) this.x.memory.grow(Math.ceil(need / PAGE));
    return at;
  }

  alloc(nF: number, nI: number, K = 1): Region {
    if (K !== 1 && (!Number.isInteger(K) || K < 2 || K % 2 !== 0))
      throw new RangeError(`candidate lanes must be 1 or an even number, got ${K}`);
    nF *= K;
    const fBytes = Math.ceil((nF * 8) / 16) * 16;
    const bytes = fBytes + Math.ceil((nI * 4) / 16) * 16;
    const at = this.reserve(bytes);
    const generation = this.generation;
    const x = this.x;
    // zero the region (a reused one holds old values)
    new Uint8Array(x.memory.buffer, at, bytes).fill(0);
    let buffer: ArrayBuffer | undefined;
    let f = new Float64Array(0);
    let i = new Int32Array(0);
    const views = () => {
      if (buffer !== x.memory.buffer) {
        buffer = x.memory.buffer;
        f = new Float64Array(buffer, at, nF);
        i = new Int32Array(buffer, at + fBytes, nI);
      }
    };
    const region: Region & { at: number; bytes: number; generation: number } = {
      at,
      bytes,
      generation,
      live: () => this.generation === generation,
      f: () => (views(), f),
      i: () => (views(), i),
      exec:
        K === 1
          ? (start, end, hdr) => x.exec(at, at + fBytes, start, end, hdr)
          : (start, end, hdr) => x.execK(at, at + fBytes, start, end, hdr, K),
    };
    return region;
  }

  release(r: Region): void {
    const { at, bytes, generation } = r as Region & { at: number; bytes: number; generation: number };
    if (generation === this.generation) this.free.push({ at, bytes });
  }
}

let cached: FastBackend | null | undefined;
let failure = '';

/** The WebAssembly backend, or undefined when this runtime cannot run it (see `wasmUnavailableReason`). */
export function wasmBackend(): FastBackend | undefined {
  if (cached !== undefined) return cached ?? undefined;
  try {
    const module = new WebAssembly.Module(decodeBase64(WASM_KERNELS));
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort: () => {
          throw new Error('wasm kernels aborted');
        },
      },
    });
    const x = instance.exports as unknown as Exports;
    const probe = x.heapBase();
    const n = x.opcodes(probe);
    const got = Array.from(new Int32Array(x.memory.buffer, probe, n));
    const want = Object.values(Op);
    if (got.join() !== want.join())
      throw new Error(`opcode mismatch (module ${got.join()}, engine ${want.join()}): run npm run build:wasm`);
    cached = new WasmBackend(x);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    cached = null;
  }
  return cached ?? undefined;
}

export function wasmUnavailableReason(): string {
  return failure;
}
