/**
 * Matrix files given to the real CLI (`eval --matrix`, `synth --start`): a key given twice,
 * bytes that are not UTF-8, a truncated file a million levels deep and a file over the size
 * limit are refused with a message naming the path, line or limit (exit 1, no stack trace);
 * a UTF-8 byte order mark is accepted and the figures are those of the file without it.
 */
import { truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-matrix-input-');
afterAll(() => tmp.cleanup());

const detector = readFileSync(join(ROOT, FIXTURES, 'sparse20-after-200-steps-matrix.json'));
const file = (name: string, bytes: Uint8Array | string) => {
  const f = join(tmp.dir, name);
  writeFileSync(f, bytes);
  return f;
};

function refused(args: string[], message: RegExp): void {
  const r = runCli(args);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |Maximum call stack/);
}

describe('matrix files on the command line', () => {
  it('a byte order mark is accepted: the same figures as without it', () => {
    const plain = runCli(['eval', '--matrix', file('plain.json', detector), '--json']);
    const bom = runCli(['eval', '--matrix', file('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), detector])), '--json']);
    expect(plain.status).toBe(0);
    expect(bom.status, bom.stderr).toBe(0);
    expect(bom.lines()).toEqual(plain.lines());
  });

  it('a neuron given twice is refused, naming it and both lines', () => {
    const text =
      '{\n "norm-1-1": {"dict": {"input": {"char": 0.5}}},\n "dot-1-1": {"dict-1": {"input": {"char": 1}}},\n "norm-1-1": {"dict": {"const_1": {"const_1": 2}}}\n}\n';
    refused(
      ['eval', '--matrix', file('twice.json', text)],
      /\$\["norm-1-1"\]: the key "norm-1-1" is given twice \(first on line 2\).*line 4/,
    );
    refused(['synth', '--start', file('twice-start.json', text), '--no-progress'], /the key "norm-1-1" is given twice/);
  });

  it('bytes that are not UTF-8 are refused with the path, not read as a stray neuron', () => {
    const bad = Buffer.concat([Buffer.from('{"norm-1-1": {"dict": {"inp'), Buffer.from([0xe9]), Buffer.from('ut": {"char": 1}}}}')]);
    refused(['eval', '--matrix', file('latin1.json', bad)], /\$\["norm-1-1"\]\["dict"\]: bytes that are not UTF-8/);
  });

  it('a truncated file a million levels deep says where it stopped', () => {
    refused(['eval', '--matrix', file('deep.json', '{"norm-1-1":'.repeat(1_000_000))], /nesting deeper than 65 levels/);
  });

  it('a file over 64 MiB is refused before it is read, saying the limit', () => {
    const big = file('big.json', '{}');
    truncateSync(big, 65 * 1024 * 1024); // sparse: nothing to write
    refused(['eval', '--matrix', big], /matrix file .*big\.json is 65\.0 MiB, more than the limit of 64 MiB/);
  });
});
