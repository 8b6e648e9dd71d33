/**
 * The recurrent generated start: its schedule form (topology, defaults, refusals naming the
 * field, merging over the layered default) and the machine it builds (the same links as the
 * editor's generateRecurrent; a soft accumulator loop moves each self-link from the fixed
 * links to the trainable ones at weight 1).
 */
import { describe, expect, it } from 'vitest';
import { generateRecurrent } from '../../src-shared/editor/generators';
import { linkLabel, matrixLinks } from '../../src-shared/machine/spec';
import { duplicatesFrame } from '../../src-shared/problems/duplicates/frame';
import { defaultSchedule, recurrentScheduleOverrides, ScheduleError, scheduleFromOverrides } from '../../src-shared/synthesis/schedule';
import { recurrentSpec } from '../../src-shared/synthesis/start';

const RECURRENT = { kind: 'generate', topology: 'recurrent', recurrent: { copies: 5 } };

describe('recurrent start (schedule)', () => {
  it('replaces the layered start when the topology changes and fills the recurrent defaults', () => {
    const s = scheduleFromOverrides({ start: RECURRENT });
    expect(s.start).toEqual({
      kind: 'generate',
      topology: 'recurrent',
      recurrent: { copies: 5, types: ['accum', 'norm', 'compare', 'dot'], scale: 0.01, accumLoop: 'hard' },
    });
    // the layered default is untouched by the new fields
    expect(scheduleFromOverrides({})).toEqual(defaultSchedule(1));
    expect(scheduleFromOverrides({ start: { kind: 'generate', topology: 'layered' } }).start).toEqual({
      ...defaultSchedule(1).start,
      topology: 'layered',
    });
  });

  it('the recurrent overrides change the learning rate, the dense phase and the cut rule', () => {
    const s = scheduleFromOverrides(recurrentScheduleOverrides({ copies: 5 }));
    expect(s.optimizer.lr).toBe(0.003);
    expect(s.dense.steps).toBe(2000);
    expect(s.rounds.cut).toEqual({ kind: 'threshold', threshold: 0.01, factor: 1.5 });
    expect(s.certificate.restartAbove).toBe(false);
  });

  it('refuses 0 copies, an unknown type, a scale ≤ 0, and a layered architecture beside it, naming the field', () => {
    const bad: Array<[unknown, string]> = [
      [{ copies: 0 }, 'start.recurrent.copies'],
      [{ copies: 2, types: ['accum', 'nope'] }, 'start.recurrent.types.1: unknown interneuron type "nope"'],
      [{ copies: 2, scale: 0 }, 'start.recurrent.scale: must be > 0'],
      [{ copies: 2, accumLoop: 'loose' }, 'start.recurrent.accumLoop'],
    ];
    for (const [recurrent, field] of bad) {
      expect(() => scheduleFromOverrides({ start: { ...RECURRENT, recurrent } })).toThrow(ScheduleError);
      expect(() => scheduleFromOverrides({ start: { ...RECURRENT, recurrent } })).toThrow(field);
    }
    expect(() =>
      scheduleFromOverrides({ start: { ...RECURRENT, architecture: { layers: 1, copies: 1, types: ['dot'], skip: true, scale: 0.01 } } }),
    ).toThrow('start.architecture: a recurrent start has no layered architecture');
    expect(() => scheduleFromOverrides({ start: { kind: 'generate', topology: 'recurrent' } })).toThrow('start.recurrent');
  });
});

describe('recurrentSpec', () => {
  it('has the links of the editor’s generateRecurrent (5 copies: 896 soft links)', () => {
    const spec = recurrentSpec(
      { copies: 5, types: ['accum', 'norm', 'compare', 'dot'], scale: 0.01, accumLoop: 'hard' },
      3,
      duplicatesFrame(),
    );
    const doc = generateRecurrent({ copies: 5 });
    const editorSoft = doc.links
      .filter((l) => l.soft)
      .map(linkLabel)
      .sort();
    const soft = matrixLinks(spec.trainable).map(linkLabel).sort();
    expect(soft).toEqual(editorSoft);
    expect(soft).toHaveLength(896);
    expect(matrixLinks(spec.fixed).map(linkLabel).sort()).toEqual(
      doc.links
        .filter((l) => !l.soft)
        .map(linkLabel)
        .sort(),
    );
  });

  it('a soft accumulator loop is a trainable link at weight 1 and no longer a fixed one', () => {
    const r = { copies: 2, types: ['accum', 'dot'], scale: 0.01, accumLoop: 'soft' as const };
    const spec = recurrentSpec(r, 1, duplicatesFrame());
    const hard = matrixLinks(spec.fixed).map(linkLabel);
    const soft = matrixLinks(spec.trainable);
    for (const k of [1, 2]) {
      const loop = `accum-1-${k}.dict-1 ← accum-1-${k}.dict`;
      expect(hard).not.toContain(loop);
      expect(soft.find((l) => linkLabel(l) === loop)?.weight).toBe(1);
    }
    const hardSpec = recurrentSpec({ ...r, accumLoop: 'hard' }, 1, duplicatesFrame());
    expect(soft).toHaveLength(matrixLinks(hardSpec.trainable).length + 2);
  });
});
