/**
 * Where the fast engine's programs run: memory for one program (float and int arrays) and
 * an executor. The TypeScript backend is always available; the WebAssembly one
 * (wasm-backend.ts) runs the same programs with SIMD kernels.
 */
import { execTs } from './exec-ts';

export type BackendName = 'ts' | 'wasm';

export interface Region {
  /** False once the backend took the memory back (the owner then prepares a new region). */
  live(): boolean;
  /** The float memory (re-read after another region was allocated: the views may move). */
  f(): Float64Array;
  i(): Int32Array;
  /** Runs the instructions I[start .. end) with the lane table at I[hdr]. */
  exec(start: number, end: number, hdr: number): void;
}

export interface FastBackend {
  readonly name: BackendName;
  /**
   * Candidates per pass of a forward-only program (1: none, candidates run one after the
   * other). A region allocated with K > 1 holds K values per F element and runs its
   * forward instructions on all K at once.
   */
  readonly candidateLanes: number;
  alloc(nF: number, nI: number, K?: number): Region;
  release(r: Region): void;
}

export const tsBackend: FastBackend = {
  name: 'ts',
  candidateLanes: 1,
  alloc(nF, nI) {
    const f = new Float64Array(nF);
    const i = new Int32Array(nI);
    return { live: () => true, f: () => f, i: () => i, exec: (start, end, hdr) => execTs(f, i, start, end, hdr) };
  },
  release() {},
};
