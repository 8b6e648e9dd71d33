/**
 * `minimal` through the real CLI process: the hand-crafted detector with an exactly
 * mergeable parallel link prints the JSON form {"softLinks","removable","necessary"} with the
 * parallel link removable and the eight hand-crafted links necessary; an empty matrix, an
 * unknown problem and a matrix that does not solve the problem are refused with a clear
 * message and a non-zero exit code.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { linkLabel, linksToMatrix, matrixLinks } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { FIXTURES, runCli } from '../helpers/cli';

const tmp = mkdtempSync(join(tmpdir(), 'dmm-minimal-'));
const HANDCRAFTED = matrixLinks(handcraftedDetector().trainable).map(linkLabel).sort();

function write(name: string, text: string): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe('minimal (CLI)', () => {
  it('prints the certificate: the parallel link removable, each hand-crafted link necessary with its loss', () => {
    const hc = handcraftedDetector();
    // accum adds its two inputs: 0.25 on dict-1 and 0.75 on dict-2 are the hand-crafted 1 on dict-2
    const links = matrixLinks(hc.trainable).map((l) => (l.to === 'accum' ? { ...l, weight: 0.75 } : l));
    links.push({ to: 'accum', toPort: 'dict-1', from: 'input', fromPort: 'char', weight: 0.25 });
    const file = write('parallel.json', exportPrototypeMatrix(linksToMatrix(links)));
    const r = runCli(['minimal', '--problem', 'duplicates', '--matrix', file, '--steps', '100', '--json'], 300_000);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.lines();
    expect(lines).toHaveLength(1);
    const out = lines[0] as { softLinks: number; removable: string[]; necessary: { link: string; lossWithout: number }[] };
    expect(Object.keys(out)).toEqual(['softLinks', 'removable', 'necessary']);
    expect(out.softLinks).toBe(9);
    expect(out.removable).toEqual(['accum.dict-1 ← input.char']);
    expect(out.necessary.map((n) => n.link).sort()).toEqual(HANDCRAFTED);
    for (const n of out.necessary) {
      expect(Object.keys(n)).toEqual(['link', 'lossWithout']);
      // the verdict's bound is a training loss of 1e-3: without any of these links the loss stays far above it
      expect(n.lossWithout).toBeGreaterThan(0.1);
    }
  }, 300_000);

  it('refuses an empty matrix, an unknown problem and a matrix that does not solve the problem', () => {
    const empty = write('empty.json', '{}');
    const r1 = runCli(['minimal', '--problem', 'duplicates', '--matrix', empty, '--json']);
    expect(r1.status).not.toBe(0);
    expect(r1.stdout).toBe('');
    expect(r1.stderr).toMatch(/^error: .*empty\.json has no soft links: there is nothing to certify\n$/);

    const r2 = runCli(['minimal', '--problem', 'no-such-problem', '--matrix', empty, '--json']);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/^error: problem "no-such-problem" is not built in \(built in: duplicates/);

    // the 2022 circuit was trained on one string: on this problem's data it fails outright
    const r3 = runCli([
      'minimal',
      '--problem',
      'duplicates',
      '--matrix',
      `${FIXTURES}/sparse20-after-200-steps-matrix.json`,
      '--steps',
      '30',
      '--json',
    ]);
    expect(r3.status).not.toBe(0);
    expect(r3.stdout).toBe('');
    expect(r3.stderr).toMatch(
      /^error: no certificate for .*sparse20-after-200-steps-matrix\.json on problem duplicates: the circuit does not solve the problem even after 30 steps of retraining: training loss [0-9.e+]+ > 0\.001\n$/,
    );
    expect(r3.stderr).not.toMatch(/ at .*\.ts:\d+/);
  }, 300_000);
});
