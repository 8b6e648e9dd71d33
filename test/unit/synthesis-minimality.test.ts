/**
 * The minimality certificate (src-shared/synthesis/minimality.ts) on circuits whose answer
 * is known: the hand-crafted detector with a redundant neuron and an exactly mergeable
 * parallel link added comes back as the hand-crafted detector's eight links, each certified
 * necessary; a circuit that does not solve the problem is refused; the 2022 19-link circuit
 * loses links. Results are checked with the compiled (reference) engine, not the fast engine
 * the check trains on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prototypeMatrixSpec } from '../../src-shared/io/prototype-matrix';
import { linkLabel, linksToMatrix, matrixLinks, type MachineSpec, type WeightedLink } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { DetectorLoss } from '../../src-shared/problems/duplicates/loss';
import { circuitFromSpec, circuitToSpec, type Circuit } from '../../src-shared/synthesis/circuit';
import { DEFAULT_TEST_SUITE } from '../../src-shared/synthesis/dataset';
import { certificateContext, MinimalityCheck, NotSolvedError } from '../../src-shared/synthesis/minimality';
import { defaultSchedule, type Schedule } from '../../src-shared/synthesis/schedule';
import { defaultProblem } from '../../src-shared/synthesis/start';
import { parseVValueJson } from '../../src-shared/vvalue/parse';
import { FIXTURES, ROOT } from '../helpers/cli';

const HANDCRAFTED = matrixLinks(handcraftedDetector().trainable).map(linkLabel).sort();

/** Worst per-element squared error and total loss of `spec` over `strings`, on the compiled engine. */
function reference(spec: MachineSpec, strings: readonly { text: string; cycles: number }[]): { worst: number; loss: number } {
  const loss = new DetectorLoss(
    spec,
    strings.map((s) => s.text),
    undefined,
    'compiled',
  );
  const w = loss.paramVector(spec.trainable);
  let worst = 0;
  let total = 0;
  for (const s of strings) {
    const r = loss.fit(w, s.text, s.cycles, 'exact');
    worst = Math.max(worst, r.worstError);
    total += r.preregLoss;
  }
  return { worst, loss: total };
}

function check(schedule: Schedule): MinimalityCheck {
  return new MinimalityCheck(certificateContext(schedule, defaultProblem()));
}

/**
 * The hand-crafted detector plus a second norm neuron on the same accumulator (the
 * comparison reads half of each: the function is unchanged, but one norm and its two links
 * are redundant) and a parallel link accum.dict-1 ← input.char beside accum.dict-2 ←
 * input.char (the accumulator adds its two inputs: 0.25 + 0.75 = 1).
 */
function redundantDetector(): MachineSpec {
  const hc = handcraftedDetector();
  const links: WeightedLink[] = matrixLinks(hc.trainable).map((l) => {
    if (l.to === 'compare' && l.toPort === 'dict-1') return { ...l, weight: 0.5 };
    if (l.to === 'accum' && l.toPort === 'dict-2') return { ...l, weight: 0.75 };
    return l;
  });
  links.push(
    { to: 'norm-b', toPort: 'dict', from: 'accum', fromPort: 'dict', weight: 1 },
    { to: 'compare', toPort: 'dict-1', from: 'norm-b', fromPort: 'norm', weight: 0.5 },
    { to: 'accum', toPort: 'dict-1', from: 'input', fromPort: 'char', weight: 0.25 },
  );
  return { ...hc, neurons: [...hc.neurons, { name: 'norm-b', type: 'norm' }], trainable: linksToMatrix(links) };
}

describe('minimality certificate', () => {
  it('removes the redundant norm and merges the parallel link, and certifies each of the eight links necessary', async () => {
    const spec = redundantDetector();
    const schedule = defaultSchedule(1);
    // the start is exact: the function is the hand-crafted detector's
    expect(reference(spec, DEFAULT_TEST_SUITE).worst).toBeLessThan(1e-20);
    const { circuit, certificate } = await check(schedule).certify(circuitFromSpec(spec));

    expect(certificate.softLinks).toBe(11);
    expect(certificate.certifiedLinks).toBe(8);
    // the parallel link merged without retraining; one of the two norms went with both its links
    expect(certificate.removals.find((r) => r.kind === 'merge')?.removed).toEqual(['accum.dict-1 ← input.char']);
    const removedNorm = certificate.removable.filter((l) => l !== 'accum.dict-1 ← input.char');
    expect(removedNorm).toHaveLength(2);
    const gone = removedNorm[0]?.includes('norm-b') ? 'norm-b' : 'norm';
    expect(removedNorm.every((l) => l.includes(`${gone}.`) || l.startsWith(`${gone}.`))).toBe(true);

    // what is left is the hand-crafted detector (up to which norm stayed), within the verdict on the held-out suite
    // (a brief retrain: synthesis polishes the certified circuit afterwards)
    const rename = (l: string) => l.replaceAll('norm-b', 'norm');
    expect(circuit.links.map((l) => rename(linkLabel(l))).sort()).toEqual(HANDCRAFTED);
    expect(reference(circuitToSpec(circuit), DEFAULT_TEST_SUITE).worst).toBeLessThan(schedule.restarts.validationWorst);

    // every remaining link is certified necessary, with a loss far above the bound
    expect(certificate.necessary.map((e) => rename(e.link)).sort()).toEqual(HANDCRAFTED);
    for (const e of certificate.necessary) expect(e.lossWithout).toBeGreaterThan(100 * schedule.restarts.trainLoss);
    // and independently: the circuit without that link, at the certified weights, is far from the verdict
    for (const [i, l] of circuit.links.entries()) {
      const without: Circuit = {
        base: circuit.base,
        links: circuit.links.filter((_, j) => j !== i),
        weights: circuit.weights.filter((_, j) => j !== i),
      };
      const r = reference(circuitToSpec(without), schedule.training.strings);
      expect(r.loss, linkLabel(l)).toBeGreaterThan(schedule.restarts.trainLoss);
    }
  }, 300_000);

  it('refuses a circuit that does not solve the problem, naming the loss it reached', async () => {
    const hc = handcraftedDetector();
    // without the end-of-sentence count no retraining can fit output.dict-2
    const broken = { ...hc, trainable: linksToMatrix(matrixLinks(hc.trainable).filter((l) => l.to !== 'output' || l.toPort !== 'dict-2')) };
    const schedule = defaultSchedule(1);
    schedule.certificate.steps = 50;
    const error = await check(schedule)
      .certify(circuitFromSpec(broken))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(NotSolvedError);
    expect((error as NotSolvedError).message).toMatch(
      /does not solve the problem even after 50 steps of retraining: training loss [0-9.e+]+ > 0\.001/,
    );
    expect((error as NotSolvedError).trainLoss).toBeGreaterThan(1);
  }, 120_000);

  it('lists removable links of the 2022 19-link circuit on the string it was trained on', async () => {
    const file = `${ROOT}/${FIXTURES}/sparse20-after-200-steps-matrix.json`;
    const spec = prototypeMatrixSpec(parseVValueJson(readFileSync(file), file));
    const given = circuitFromSpec(spec);
    expect(given.links).toHaveLength(19);
    // the 2022 run trained on one string over 140 cycles, where this circuit's loss is ≈ 1.5e-3;
    // it is judged there, against a bar of 0.1 (the default data's long counts it never learnt)
    const strings = [{ text: 'test string.', cycles: 140 }];
    const schedule = defaultSchedule(1);
    schedule.training.strings = strings;
    schedule.restarts.validation = strings;
    schedule.restarts.trainLoss = 0.1;
    schedule.restarts.validationWorst = 0.1;
    schedule.certificate.steps = 200;
    const { circuit, certificate } = await check(schedule).certify(given);

    const givenLabels = new Set(given.links.map(linkLabel));
    expect(certificate.removable.length).toBeGreaterThan(0);
    for (const l of certificate.removable) expect(givenLabels.has(l)).toBe(true);
    expect(certificate.certifiedLinks).toBe(circuit.links.length);
    expect(circuit.links.length).toBeLessThan(19);
    expect(certificate.necessary.map((e) => e.link).sort()).toEqual(circuit.links.map(linkLabel).sort());
    for (const e of certificate.necessary) expect(e.lossWithout).toBeGreaterThan(0.1);
    // the smaller circuit keeps the verdict, by the reference engine
    expect(reference(circuitToSpec(circuit), strings).loss).toBeLessThanOrEqual(0.1);
  }, 300_000);
});
