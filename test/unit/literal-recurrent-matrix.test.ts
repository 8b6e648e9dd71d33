/**
 * The 2022 recurrent matrix in its literal form (every interneuron carrying all 7 field
 * names): 20 308 weights, of which the importer keeps the 1 036 links between ports that
 * exist and reports the others by name (links to or from ports a type lacks, soft copies
 * of the timer's fixed links); the accumulators' self-links it names become soft loops.
 * The machine then trains: a few real optimiser steps with exact gradients keep the loss
 * finite and lower it.
 */
import { describe, expect, it } from 'vitest';
import { readPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { NEURON_TYPES } from '../../src-shared/machine/neuron-types';
import { linkLabel, matrixLinks } from '../../src-shared/machine/spec';
import { Adam } from '../../src-shared/optim/adam';
import { literalRecurrentMatrix, PROTOTYPE_FIELDS } from '../../src-shared/problems/duplicates/literal-recurrent';
import { taskOf, TeacherTargets } from '../../src-shared/problems/targets';
import { circuitFromSpec } from '../../src-shared/synthesis/circuit';
import { SetObjective } from '../../src-shared/synthesis/objective';
import { defaultProblem } from '../../src-shared/synthesis/start';
import { leaves } from '../../src-shared/vvalue/vvalue';

describe('the literal 2022 recurrent matrix', () => {
  const matrix = JSON.parse(JSON.stringify(literalRecurrentMatrix({ seed: 1 })));
  const { spec, ignored } = readPrototypeMatrix(matrix);

  it('has 20 308 weights; links between existing ports are kept, the others reported by name', () => {
    expect([...leaves(matrix)]).toHaveLength(20_308);
    // counted from the neuron registry: ports each type really has, times copies, plus the output
    let inputs = 2; // output.dict-1, output.dict-2
    let outputs = 3; // input.char, eos.char, const_1.const_1
    for (const t of ['accum', 'norm', 'compare', 'dot']) {
      const type = NEURON_TYPES.get(t)!;
      inputs += 5 * type.inputs.filter((p) => PROTOTYPE_FIELDS.includes(p)).length;
      outputs += 5 * type.outputs.length;
    }
    const kept = matrixLinks(spec.trainable);
    expect(kept).toHaveLength(inputs * outputs); // 37 × 28
    expect(kept).toHaveLength(1036);
    expect(ignored).toHaveLength(20_308 - 1036);
    const byLabel = new Map(ignored.map((i) => [linkLabel(i.link), i.reason]));
    expect(byLabel.get('norm-1-1.dict-1 ← dot-1-3.dot')).toBe('norm has no input port "dict-1"');
    expect(byLabel.get('accum-1-2.dict-2 ← norm-1-1.true')).toBe('norm has no output port "true"');
    expect(byLabel.get('timer.timer ← timer.timer')).toBe('a fixed link of the machine');
    expect(byLabel.get('input.timer ← timer.timer')).toBe('a fixed link of the machine');
  });

  it('makes the accumulator loops it names soft: no fixed self-link, a trainable one', () => {
    const hard = matrixLinks(spec.fixed).map(linkLabel);
    const soft = new Set(matrixLinks(spec.trainable).map(linkLabel));
    for (let k = 1; k <= 5; k++) {
      expect(hard).not.toContain(`accum-1-${k}.dict-1 ← accum-1-${k}.dict`);
      expect(soft.has(`accum-1-${k}.dict-1 ← accum-1-${k}.dict`)).toBe(true);
    }
    expect(hard).toContain('timer.timer ← timer.timer');
    expect(hard).toContain('input.timer ← timer.timer');
  });

  it('trains: a few exact-gradient Adam steps keep the loss finite and lower it', () => {
    const circuit = circuitFromSpec(spec);
    const strings = [{ text: 'abca.', cycles: 60 }];
    const objective = new SetObjective(
      circuit,
      strings,
      ['a', 'b', 'c', '.'],
      'exact',
      undefined,
      new TeacherTargets(taskOf(defaultProblem())),
    );
    const adam = new Adam(circuit.weights.length, { lr: 0.003, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const grad = new Float64Array(circuit.weights.length);
    const losses: number[] = [];
    for (let step = 1; step <= 5; step++) {
      grad.fill(0);
      losses.push(objective.evaluate(circuit.weights, { l1: 0, l2: 0 }, step, grad).loss);
      adam.update(circuit.weights, grad);
    }
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
  });
});
