// Time to open a diff (the diff's goal: ≤ 1 s for any two circuits up to a few hundred
// links): alignment with behaviour, link diff and the behaviour of both on the default
// defect strings, for two circuits of 300 links each.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignCircuits } from '../../src-shared/diff/align';
import { compareBehaviour, DEFECT_PROBES } from '../../src-shared/diff/behaviour';
import { diffLinks } from '../../src-shared/diff/link-diff';
import { alignmentEvidence } from '../../src-shared/diff/traces';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { linksToMatrix, matrixLinks, type MachineSpec } from '../../src-shared/machine/spec';

const DIR = new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url);
const load = (file: string): MachineSpec => importPrototypeMatrix(readFileSync(new URL(file, DIR), 'utf8'), file);

/** The `n` strongest soft links of a circuit. */
function strongest(spec: MachineSpec, n: number): MachineSpec {
  const top = matrixLinks(spec.trainable)
    .sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight))
    .slice(0, n);
  return { ...spec, trainable: linksToMatrix(top) };
}

describe('diff speed', () => {
  it('aligns, diffs and runs two 300-link circuits (prints the times)', () => {
    // two different trained circuits of the 2022 run, cut to their 300 strongest links
    const a = strongest(load('2500-steps-matrix.json'), 300);
    const b = strongest(load('initial-matrix.json'), 300);
    expect(matrixLinks(a.trainable)).toHaveLength(300);
    expect(matrixLinks(b.trainable)).toHaveLength(300);
    const run = () => {
      const t0 = performance.now();
      const evidence = alignmentEvidence(a, b);
      const t1 = performance.now();
      const alignment = alignCircuits(a, b, evidence);
      const t2 = performance.now();
      const diff = diffLinks(a, b, alignment);
      const t3 = performance.now();
      const behaviour = compareBehaviour(a, b, DEFECT_PROBES, { alignment });
      const t4 = performance.now();
      return { alignment, diff, behaviour, ms: { evidence: t1 - t0, align: t2 - t1, links: t3 - t2, behaviour: t4 - t3, total: t4 - t0 } };
    };
    run(); // warm-up (JIT), as a second opening in the app would be
    const { alignment, diff, behaviour, ms } = run();
    console.log(
      `diff of two 300-link circuits (${a.neurons.length}/${b.neurons.length} neurons): ` +
        Object.entries(ms)
          .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
          .join(', '),
    );
    expect(alignment.pairs.length).toBeGreaterThan(5);
    expect(diff.rows.length).toBeGreaterThanOrEqual(300);
    expect(behaviour).toHaveLength(DEFECT_PROBES.length);
    // the figures are printed; npm run bench:ui measures them (a time bound would fail on a loaded machine)
  });
});
