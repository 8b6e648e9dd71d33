/**
 * The New-run form's pure logic: schedule paths, what a person types, zod issues mapped to
 * the fields that show them, hyperparameter sets, and validation of the whole form.
 */
import { describe, expect, it } from 'vitest';
import { handcraftedDetector } from '@shared/problems/duplicates/handcrafted';
import { defaultSchedule } from '@shared/synthesis/schedule';
import { cutOfKind, DETECTOR_LINKS, estimatorOfKind, formAnchors, startOfKind } from '../../src-renderer/runs/new/fields';
import {
  anchorFor,
  applyHyperSet,
  checkSchedule,
  GENERAL,
  getAt,
  groupIssues,
  hyperSetContent,
  matrixProblem,
  parseNumber,
  parseTags,
  serverIssues,
  setAt,
  validateForm,
  type FormState,
  type JsonObject,
} from '../../src-renderer/runs/new/schedule-form';

/** A valid prototype-format matrix: the hand-crafted detector's. */
const GOOD_MATRIX = JSON.parse(JSON.stringify(handcraftedDetector().trainable)) as JsonObject;

const draft = (): JsonObject => defaultSchedule(1);

const form = (over: Partial<FormState> = {}): FormState => ({
  name: '',
  problem: 'duplicates',
  tags: '',
  source: 'schedule',
  draft: draft(),
  fieldErrors: {},
  ...over,
});

const validate = (f: FormState) => validateForm(f, formAnchors(f.draft));

describe('schedule paths', () => {
  it('reads and writes nested fields and array rows without touching the original', () => {
    const d = draft();
    expect(getAt(d, 'optimizer.lr')).toBe(0.02);
    expect(getAt(d, 'training.strings.1.text')).toBe('hello.');
    expect(getAt(d, 'nope.deeper')).toBeUndefined();
    const e = setAt(d, 'training.strings.1.cycles', 99);
    expect(getAt(e, 'training.strings.1.cycles')).toBe(99);
    expect(getAt(d, 'training.strings.1.cycles')).toBe(70);
    expect(e['optimizer']).toBe(d['optimizer']); // untouched parts keep their identity
    expect(Array.isArray(getAt(e, 'training.strings'))).toBe(true);
  });

  it('creates missing containers and removes a key set to undefined', () => {
    expect(setAt({}, 'a.b.0.c', 1)).toEqual({ a: { b: [{ c: 1 }] } });
    expect(setAt({ a: { b: 1, c: 2 } }, 'a.b', undefined)).toEqual({ a: { c: 2 } });
  });
});

describe('typed values', () => {
  it('parses plain decimal numbers only', () => {
    expect(parseNumber(' 0.02 ')).toEqual({ ok: true, value: 0.02 });
    expect(parseNumber('1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseNumber('-1')).toEqual({ ok: true, value: -1 });
    expect(parseNumber('.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseNumber('3.')).toEqual({ ok: true, value: 3 });
    expect(parseNumber('')).toMatchObject({ ok: false, message: 'required' });
    for (const bad of ['abc', '0x10', '1,5', 'Infinity', 'NaN', '1e', '--1']) expect(parseNumber(bad).ok).toBe(false);
    expect(parseNumber('1e999')).toMatchObject({ ok: false, message: 'must be a finite number' });
  });

  it('splits tags', () => {
    expect(parseTags(' a, b ,,a, c d ')).toEqual(['a', 'b', 'c d']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('zod issues mapped to fields', () => {
  const anchors = formAnchors(draft());

  it('names the field of each issue, unknown keys included', () => {
    const d = setAt(setAt(setAt(draft(), 'optimizer.lr', -1), 'stop.stepBudget', 0.5), 'dense.bogus', 1);
    const { issues, schedule } = checkSchedule(d);
    expect(schedule).toBeUndefined();
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(['dense.bogus', 'optimizer.lr', 'stop.stepBudget']);
    expect(issues.find((i) => i.path === 'optimizer.lr')?.message).toBe('must be > 0');
    expect(issues.find((i) => i.path === 'dense.bogus')?.message).toBe('unknown field');
  });

  it('sends an issue to its field, else to the nearest enclosing anchor, else to the JSON editor', () => {
    expect(anchorFor('optimizer.lr', anchors)).toBe('optimizer.lr');
    expect(anchorFor('training.strings.2.cycles', anchors)).toBe('training.strings.2.cycles');
    expect(anchorFor('training.strings', anchors)).toBe('training.strings');
    expect(anchorFor('start.architecture.types.1', anchors)).toBe('start.architecture.types');
    expect(anchorFor('rounds.retrain.chunk', anchors)).toBe(GENERAL);
    expect(anchorFor('training.curriculum.steps', anchors)).toBe(GENERAL);
    expect(anchorFor('', anchors)).toBe(GENERAL);
  });

  it('groups messages, prefixing the sub-path when an anchor shows an issue below it', () => {
    const g = groupIssues(
      [
        { path: 'optimizer.lr', message: 'must be > 0' },
        { path: 'start.architecture.types.1', message: 'bad type' },
        { path: 'rounds.retrain.chunk', message: 'too small' },
        { path: 'optimizer.lr', message: 'must be > 0' },
      ],
      anchors,
    );
    expect(g).toEqual({
      'optimizer.lr': ['must be > 0'],
      'start.architecture.types': ['1: bad type'],
      [GENERAL]: ['rounds.retrain.chunk: too small'],
    });
  });

  it('has anchors for every row of the string lists in the draft', () => {
    const a = formAnchors(setAt(draft(), 'testSuite', [{ text: 'a', cycles: 1 }]));
    expect(a.has('training.strings.4.text')).toBe(true);
    expect(a.has('training.strings.5.text')).toBe(false);
    expect(a.has('testSuite.0.cycles')).toBe(true);
    expect(a.has('testSuite.1.cycles')).toBe(false);
  });
});

describe('the whole form', () => {
  it('is valid with the default schedule and builds a runs.start request', () => {
    const v = validate(form({ name: ' first ', tags: 'x, y' }));
    expect(v.count).toBe(0);
    expect(v.request).toEqual({
      method: 'runs.start',
      params: { name: 'first', problem: 'duplicates', schedule: draft(), tags: ['x', 'y'] },
    });
    expect(v.schedule).toEqual(defaultSchedule(1));
  });

  it('puts each problem next to its field and sends nothing', () => {
    const d = setAt(setAt(draft(), 'optimizer.lr', -1), 'training.strings.0.text', '');
    const v = validate(form({ draft: d }));
    expect(v.request).toBeUndefined();
    expect(v.errors['optimizer.lr']).toEqual(['must be > 0']);
    expect(v.errors['training.strings.0.text']).toEqual(['must not be empty']);
    expect(v.count).toBe(2);
  });

  it('shows an unparsable field text as that field’s only error', () => {
    const v = validate(form({ fieldErrors: { 'optimizer.lr': 'must be a number' } }));
    expect(v.errors['optimizer.lr']).toEqual(['must be a number']);
    expect(v.request).toBeUndefined();
  });

  it('refuses a JSON editor that does not parse, an empty list, too long names and tags', () => {
    const v = validate(
      form({ jsonError: 'not valid JSON: x', name: 'n'.repeat(201), tags: 't'.repeat(101), draft: setAt(draft(), 'training.strings', []) }),
    );
    expect(v.errors[GENERAL]).toEqual(['not valid JSON: x']);
    expect(v.errors['name']).toHaveLength(1);
    expect(v.errors['tags']).toHaveLength(1);
    expect(v.errors['training.strings']?.[0]).toBe('at least 1 item');
    expect(v.request).toBeUndefined();
  });

  it('needs a valid matrix for a matrix start', () => {
    const empty = validate(form({ draft: setAt(draft(), 'start', startOfKind('matrix', undefined)) }));
    expect(empty.errors['start.matrix']?.[0]).toMatch(/choose a matrix file/);
    const bad = validate(
      form({ draft: setAt(draft(), 'start', { kind: 'matrix', name: 'm', matrix: { 'bogus-1-1': { x: { y: { z: 1 } } } } }) }),
    );
    expect(bad.errors['start.matrix']?.[0]).toMatch(/unknown neuron type prefix in "bogus-1-1"/);
    const fileError = validate(
      form({ matrixError: 'm.json: line 3: oops', draft: setAt(draft(), 'start', startOfKind('matrix', undefined)) }),
    );
    expect(fileError.errors['start.matrix']).toEqual(['m.json: line 3: oops']);
    const good = GOOD_MATRIX;
    expect(matrixProblem(good)).toBeNull();
    expect(validate(form({ draft: setAt(draft(), 'start', { kind: 'matrix', name: 'm', matrix: good }) })).request).toBeDefined();
  });

  it('sends a library architecture as architectureId, the start point left to the server', () => {
    const architecture = { id: 3, name: 'lib', version: 2, matrix: GOOD_MATRIX };
    expect(validate(form({ source: 'architecture' })).errors['architectureId']).toEqual(['choose an architecture']);
    const v = validate(form({ source: 'architecture', architecture }));
    expect(v.request?.method).toBe('runs.start');
    const params = v.request?.params as { architectureId?: number; schedule: JsonObject };
    expect(params.architectureId).toBe(3);
    expect(params.schedule['start']).toBeUndefined();
    expect(v.schedule?.start).toEqual({ kind: 'matrix', name: 'lib v2', matrix: architecture.matrix });
  });

  it('starts from a snapshot with runs.resumeFrom, keeping that run’s start point', () => {
    expect(validate(form({ source: 'snapshot' })).errors['snapshotId']).toHaveLength(1);
    const runSchedule = setAt(draft(), 'start', startOfKind('generate', undefined));
    const d = setAt(draft(), 'optimizer.lr', 0.5);
    const v = validate(form({ source: 'snapshot', snapshot: { id: 12, runSchedule }, draft: d, name: 'again' }));
    expect(v.request).toEqual({
      method: 'runs.resumeFrom',
      params: { snapshotId: 12, name: 'again', schedule: hyperSetContentWithSeed(d) },
    });
    expect(v.schedule?.optimizer.lr).toBe(0.5);
    expect(v.schedule?.start).toEqual(runSchedule['start']);
  });

  it('switches start points, estimators and cut rules to valid defaults', () => {
    for (const kind of ['generate', 'repair'] as const) {
      const d = setAt(draft(), 'start', startOfKind(kind, draft()['start']));
      expect(validate(form({ draft: d })).count).toBe(0);
    }
    // the architecture is kept across generate ↔ repair
    const arch = { layers: 2, copies: 1, types: ['accum'], skip: false, scale: 0.5 };
    expect(startOfKind('repair', { kind: 'generate', architecture: arch })['architecture']).toBe(arch);
    for (const kind of ['gradient', 'es'])
      expect(validate(form({ draft: setAt(draft(), 'estimator', estimatorOfKind(kind, undefined)) })).count).toBe(0);
    for (const kind of ['fraction', 'threshold', 'count'])
      expect(validate(form({ draft: setAt(draft(), 'rounds.cut', cutOfKind(kind, undefined)) })).count).toBe(0);
    const repair = setAt(setAt(draft(), 'start', startOfKind('repair', undefined)), 'start.remove', [DETECTOR_LINKS[0]!.link]);
    expect(validate(form({ draft: repair })).count).toBe(0);
  });
});

function hyperSetContentWithSeed(d: JsonObject): JsonObject {
  return { ...hyperSetContent(d), seed: d['seed'] };
}

describe('hyperparameter sets', () => {
  it('holds the schedule without seed and start point', () => {
    const c = hyperSetContent(draft());
    expect(c['seed']).toBeUndefined();
    expect(c['start']).toBeUndefined();
    expect(c['optimizer']).toEqual(draft()['optimizer']);
  });

  it('applies a set over the defaults, keeping the draft’s seed and start point', () => {
    const mine = setAt(setAt(setAt(draft(), 'seed', 7), 'optimizer.lr', 0.9), 'start', startOfKind('repair', undefined));
    const applied = applyHyperSet(mine, { optimizer: { beta1: 0.5 }, seed: 99, stop: { targetLinks: 3 } });
    expect(applied['seed']).toBe(7);
    expect(applied['start']).toEqual(mine['start']);
    expect(getAt(applied, 'optimizer.lr')).toBe(0.02); // back to the default: the set decides
    expect(getAt(applied, 'optimizer.beta1')).toBe(0.5);
    expect(getAt(applied, 'stop.targetLinks')).toBe(3);
    expect(getAt(applyHyperSet(mine, undefined), 'optimizer.lr')).toBe(0.02);
    expect(checkSchedule(applied).issues).toEqual([]);
  });
});

describe('server errors', () => {
  it('reads the field issues of a refused schedule', () => {
    expect(serverIssues('invalid schedule: optimizer.lr: must be > 0; stop.stepBudget: Too small: expected number to be >=1')).toEqual([
      { path: 'optimizer.lr', message: 'must be > 0' },
      { path: 'stop.stepBudget', message: 'Too small: expected number to be >=1' },
    ]);
    expect(serverIssues('runs.start: schedule: Invalid input: expected record, received array')).toEqual([
      { path: 'schedule', message: 'Invalid input: expected record, received array' },
    ]);
    expect(serverIssues('run 7 is running: stop it before deleting it')).toEqual([]);
    expect(serverIssues('fetch failed')).toEqual([]);
  });
});
