/**
 * The committed WebAssembly module is what `npm run build:wasm` makes from
 * src-wasm/kernels.ts with the AssemblyScript compiler installed by `npm ci`: a fresh
 * build gives the same bytes (so the binary always has its source and build script).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('wasm kernels', () => {
  // the optimising compile takes 25–30 s of CPU; on a loaded 2-core machine several times that
  it('rebuild from source to the committed module', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-wasm.ts', '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/up to date/);
  }, 400_000);
});
