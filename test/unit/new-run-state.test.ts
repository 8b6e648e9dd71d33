/**
 * The New-run form's state (runes, compiled by the svelte plugin of vitest.config.ts): typed
 * text kept verbatim, the JSON editor and the fields following each other, switches of
 * start point / estimator / cut rule, the string lists, the matrix file, hyperparameter sets.
 */
import { describe, expect, it } from 'vitest';
import { handcraftedDetector } from '@shared/problems/duplicates/handcrafted';
import { defaultSchedule } from '@shared/synthesis/schedule';
import { DETECTOR_LINKS } from '../../src-renderer/runs/new/fields';
import { NewRunState } from '../../src-renderer/runs/new/new-run-state.svelte';
import { getAt, GENERAL } from '../../src-renderer/runs/new/schedule-form';

const json = (s: NewRunState) => JSON.parse(s.jsonText) as Record<string, any>;

describe('NewRunState', () => {
  it('starts valid on the default schedule, shown in the JSON editor', () => {
    const s = new NewRunState();
    expect(s.validation.count).toBe(0);
    expect(s.validation.request?.method).toBe('runs.start');
    expect(json(s)).toEqual(defaultSchedule(1));
    expect(s.startChoice).toBe('generate');
  });

  it('keeps what is typed, validates it, and updates the JSON only with values that parse', () => {
    const s = new NewRunState();
    s.setNumber('optimizer.lr', '-1');
    expect(s.errors('optimizer.lr')).toEqual(['must be > 0']);
    expect(s.validation.request).toBeUndefined();
    expect(json(s).optimizer.lr).toBe(-1);
    s.setNumber('optimizer.lr', '0.');
    expect(s.text('optimizer.lr')).toBe('0.'); // not rewritten to "0" while typing
    s.setNumber('optimizer.lr', 'abc');
    expect(s.errors('optimizer.lr')).toEqual(['must be a number']);
    expect(json(s).optimizer.lr).toBe(0); // the last value that parsed
    expect(s.validation.count).toBe(1);
    s.setNumber('optimizer.lr', '0.05');
    expect(s.errors('optimizer.lr')).toBeUndefined();
    expect(json(s).optimizer.lr).toBe(0.05);
    expect(s.validation.count).toBe(0);
  });

  it('takes the JSON editor’s schedule into the fields, and refuses text that is not a JSON object', () => {
    const s = new NewRunState();
    s.setNumber('seed', 'x');
    s.editJson(JSON.stringify({ ...defaultSchedule(9), stop: { targetLinks: 4, stepBudget: 77 } }));
    expect(s.text('seed')).toBe('9'); // typed text is dropped when the JSON editor replaces the draft
    expect(s.text('stop.stepBudget')).toBe('77');
    expect(s.validation.count).toBe(0);
    s.editJson('{"seed": ');
    expect(s.errors(GENERAL)?.[0]).toMatch(/^not valid JSON/);
    expect(s.validation.request).toBeUndefined();
    expect(s.text('stop.stepBudget')).toBe('77');
    s.editJson('[1]');
    expect(s.errors(GENERAL)).toEqual(['the schedule must be a JSON object']);
    s.editJson(JSON.stringify({ ...defaultSchedule(9), bogus: 1 }));
    expect(s.errors(GENERAL)).toEqual(['bogus: unknown field']);
    // a field edit rewrites the editor from the draft
    s.setNumber('seed', '10');
    expect(json(s).seed).toBe(10);
    expect(json(s).bogus).toBe(1);
  });

  it('switches start point, estimator and cut rule to valid defaults', () => {
    const s = new NewRunState();
    s.chooseStart('repair');
    expect(s.startChoice).toBe('repair');
    expect(getAt(s.draft, 'start.perturb')).toBe(0.3);
    s.toggleRemove(DETECTOR_LINKS[1]!.link, true);
    expect(s.isRemoved(DETECTOR_LINKS[1]!.link)).toBe(true);
    s.toggleRemove(DETECTOR_LINKS[1]!.link, false);
    expect(getAt(s.draft, 'start.remove')).toEqual([]);
    s.toggleType('norm', false);
    expect(getAt(s.draft, 'start.architecture.types')).toEqual(['accum', 'compare', 'dot']);
    s.toggleType('norm', true);
    expect(getAt(s.draft, 'start.architecture.types')).toEqual(['accum', 'norm', 'compare', 'dot']);
    s.setEstimatorKind('es');
    expect(getAt(s.draft, 'estimator.kind')).toBe('es');
    s.setCutKind('threshold');
    expect(getAt(s.draft, 'rounds.cut')).toEqual({ kind: 'threshold', threshold: 0.01, factor: 1.5 });
    expect(s.validation.count).toBe(0);
    s.chooseStart('architecture');
    expect(s.startChoice).toBe('architecture');
    expect(s.errors('architectureId')).toEqual(['choose an architecture']);
    s.chooseStart('snapshot');
    expect(s.errors('snapshotId')).toHaveLength(1);
    expect(s.validation.request).toBeUndefined();
  });

  it('edits, adds and removes strings; typed text of removed rows is forgotten', () => {
    const s = new NewRunState();
    s.setNumber('training.strings.4.cycles', 'x');
    expect(s.validation.count).toBe(1);
    s.removeString('training.strings', 4);
    expect(s.validation.count).toBe(0);
    s.setValue('training.strings.0.text', '');
    expect(s.errors('training.strings.0.text')).toEqual(['must not be empty']);
    s.addString('training.strings');
    expect((getAt(s.draft, 'training.strings') as unknown[]).length).toBe(5);
    for (let i = 4; i >= 0; i--) s.removeString('training.strings', i);
    expect(s.errors('training.strings')?.[0]).toBe('at least 1 item');
  });

  it('reads a matrix file, or says why it cannot', async () => {
    const s = new NewRunState();
    s.chooseStart('matrix');
    expect(s.errors('start.matrix')?.[0]).toMatch(/choose a matrix file/);
    await s.loadMatrixFile(new File(['{"output": {"dict-1": {"nope-1-1": {"x": 1}}}}'], 'bad.json'));
    expect(s.errors('start.matrix')?.[0]).toMatch(/unknown neuron type prefix in "nope-1-1"/);
    await s.loadMatrixFile(new File([JSON.stringify(handcraftedDetector().trainable)], 'detector.json'));
    expect(s.errors('start.matrix')).toBeUndefined();
    expect(getAt(s.draft, 'start.name')).toBe('detector');
    expect(s.validation.count).toBe(0);
    s.setMatrixArchitecture(true);
    expect(getAt(s.draft, 'start.architecture.layers')).toBe(5);
    s.setMatrixArchitecture(false);
    expect(getAt(s.draft, 'start.architecture')).toBeUndefined();
  });

  it('applies a hyperparameter set over the defaults and sends its id', () => {
    const s = new NewRunState();
    s.setNumber('seed', '4');
    s.useHyperSet({ id: 2, name: 'fast', schedule: { optimizer: { lr: 0.3 } } });
    expect(s.text('seed')).toBe('4');
    expect(s.text('optimizer.lr')).toBe('0.3');
    const req = s.validation.request;
    expect(req?.method === 'runs.start' && req.params.hyperSetId).toBe(2);
    s.useHyperSet(undefined);
    expect(s.text('optimizer.lr')).toBe('0.02');
    expect(s.hyperSetValid).toBe(true);
    s.setNumber('optimizer.lr', '-3');
    expect(s.hyperSetValid).toBe(false);
  });
});

describe('messages and warnings in plain words', () => {
  it('a seed that is not a whole number or out of range says so once, in words', () => {
    const s = new NewRunState();
    s.setNumber('seed', '1.5');
    expect(s.errors('seed')).toEqual(['must be a whole number']);
    s.setNumber('seed', '1e12');
    expect(s.errors('seed')).toEqual(['at most 2,147,483,647']);
    s.setNumber('seed', '-3');
    expect(s.errors('seed')).toEqual(['at least 0']);
  });

  it('legal but unlikely values are warnings: the run can still start', () => {
    const s = new NewRunState();
    expect(s.validation.warnings).toEqual([]);
    s.setNumber('optimizer.lr', '2');
    s.setNumber('start.architecture.scale', '3');
    s.setNumber('stop.targetLinks', '5000');
    s.setValue('training.strings', [{ text: 'abcdefghijabcdefghij.', cycles: 5 }]);
    expect(s.validation.request).toBeDefined();
    expect(s.validation.warnings.map((w) => w.path)).toEqual([
      'optimizer.lr',
      'start.architecture.scale',
      'stop.targetLinks',
      'training.strings.0.cycles',
    ]);
    expect(s.validation.warnings[2]!.message).toMatch(
      /^the target \(5,000 soft links\) is not below the start's 1,486: nothing will be cut$/,
    );
    expect(s.validation.warnings[3]!.message).toContain('has 21 characters but 5 cycles');
  });

  it('a partial schedule in the JSON editor is merged over the defaults instead of blanking the form', () => {
    const s = new NewRunState();
    s.editJson('{"version":1,"seed":7}');
    expect(s.validation.count).toBe(0);
    expect(getAt(s.draft, 'seed')).toBe(7);
    expect(getAt(s.draft, 'optimizer.lr')).toBe(defaultSchedule(1).optimizer.lr);
    expect(s.validation.request?.method).toBe('runs.start');
    expect(s.validation.schedule?.training.strings.length).toBeGreaterThan(0);
  });
});
