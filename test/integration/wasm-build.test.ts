/**
 * The committed WebAssembly module is what `npm run build:wasm` makes from
 * src-wasm/kernels.ts with the AssemblyScript compiler installed by `npm ci`: a fresh
 * build gives the same bytes (so the binary always has its source and build script).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('wasm kernels', () => {
  it('rebuild from source to the committed module', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-wasm.ts', '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/up to date/);
  });
});
