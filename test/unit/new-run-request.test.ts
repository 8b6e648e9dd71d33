/**
 * What the New-run form validates is exactly what the lab runs: requests built by the form
 * go through the real LabService (on an in-memory store, no run processes) and the stored
 * run's schedule must equal the schedule the form computed for its client-side check.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handcraftedDetector } from '@shared/problems/duplicates/handcrafted';
import { dispatch } from '@shared/api/dispatch';
import { defaultSchedule } from '@shared/synthesis/schedule';
import { EventHub } from '../../src-main/lab/event-hub';
import { LabService } from '../../src-main/lab/service';
import type { Supervisor } from '../../src-main/runs/supervisor';
import { RunStore } from '../../src-main/store/run-store';
import { formAnchors, startOfKind } from '../../src-renderer/runs/new/fields';
import {
  applyHyperSet,
  hyperSetContent,
  setAt,
  validateForm,
  type FormState,
  type JsonObject,
  type StartRequest,
} from '../../src-renderer/runs/new/schedule-form';

/** A valid prototype-format matrix: the hand-crafted detector's. */
const GOOD_MATRIX = JSON.parse(JSON.stringify(handcraftedDetector().trainable)) as JsonObject;

let store: RunStore;
let service: LabService;

beforeEach(() => {
  store = RunStore.open(':memory:');
  // no run is ever launched: the supervisor's queue pump is a no-op
  service = new LabService(store, { pump: () => undefined } as unknown as Supervisor, new EventHub());
});
afterEach(() => store.close());

const base = (): JsonObject => defaultSchedule(1);
const form = (over: Partial<FormState>): FormState => ({
  name: '',
  problem: 'duplicates',
  tags: '',
  source: 'schedule',
  draft: base(),
  fieldErrors: {},
  ...over,
});

async function send(request: StartRequest): Promise<{ id: number }> {
  const reply = await dispatch(service.handlers, request.method, request.params);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.result as { id: number };
}

async function roundTrip(f: FormState) {
  const v = validateForm(f, formAnchors(f.draft));
  expect(v.errors).toEqual({});
  expect(v.request).toBeDefined();
  const run = await send(v.request!);
  return { stored: store.getRun(run.id), expected: v.schedule };
}

const SMALL = { layers: 2, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.1 };

describe('form requests through the real lab service', () => {
  it('a generated start with edited fields', async () => {
    let d = setAt(base(), 'start', { kind: 'generate', architecture: SMALL });
    d = setAt(d, 'seed', 5);
    d = setAt(d, 'optimizer.lr', 0.05);
    d = setAt(d, 'training.strings', [{ text: 'abca.', cycles: 40 }]);
    d = setAt(d, 'stop.stepBudget', 300);
    const { stored, expected } = await roundTrip(form({ draft: d, name: 'small', tags: 'e2e, form' }));
    expect(stored.schedule).toEqual(expected);
    expect(stored.seed).toBe(5);
    expect(stored.name).toBe('small');
    expect(stored.tags.sort()).toEqual(['e2e', 'form']);
  });

  it('a hyperparameter set, then edits (sent with hyperSetId)', async () => {
    const set = store.saveHyperSet({
      name: 'fast',
      description: '',
      schedule: {
        optimizer: { lr: 0.1 },
        dense: { steps: 10 },
        training: { strings: [{ text: 'ab.', cycles: 30 }], curriculum: { startCycles: 10, steps: 5 } },
      },
    });
    // the form applies the set, then the user edits a value
    const d = setAt(applyHyperSet(base(), set.schedule), 'dense.steps', 20);
    const { stored, expected } = await roundTrip(form({ draft: d, hyperSet: { id: set.id, schedule: set.schedule } }));
    expect(stored.hyperSetId).toBe(set.id);
    expect(stored.schedule).toEqual(expected);
    expect(stored.schedule).toEqual(d);
    expect(stored.schedule.optimizer.lr).toBe(0.1);
    expect(stored.schedule.dense.steps).toBe(20);
  });

  it('a set whose optional field the draft dropped is not sent (the lab would bring the field back)', async () => {
    const set = store.saveHyperSet({
      name: 'curr',
      description: '',
      schedule: { training: { strings: [{ text: 'ab.', cycles: 30 }], curriculum: { startCycles: 10, steps: 5 } } },
    });
    const d = setAt(applyHyperSet(base(), set.schedule), 'training.curriculum', undefined);
    const { stored, expected } = await roundTrip(form({ draft: d, hyperSet: { id: set.id, schedule: set.schedule } }));
    expect(stored.hyperSetId).toBeNull();
    expect(stored.schedule).toEqual(expected);
    expect(stored.schedule.training.curriculum).toBeUndefined();
  });

  it('a library architecture', async () => {
    const matrix = GOOD_MATRIX;
    const a = store.saveArchitecture({ name: 'tiny', description: '', graph: { neurons: [], matrix, positions: {} } });
    const { stored, expected } = await roundTrip(
      form({ source: 'architecture', architecture: { id: a.id, name: a.name, version: a.version, matrix: a.graph.matrix } }),
    );
    expect(stored.architectureId).toBe(a.id);
    expect(stored.schedule).toEqual(expected);
    expect(stored.schedule.start).toMatchObject({ kind: 'matrix', name: 'tiny v1' });
  });

  it('a repair start and the ES estimator', async () => {
    let d = setAt(base(), 'start', startOfKind('repair', undefined));
    d = setAt(d, 'estimator', { kind: 'es', sigma: 0.05, population: 4, weightDecay: 0, workers: 0 });
    const { stored, expected } = await roundTrip(form({ draft: d }));
    expect(stored.schedule).toEqual(expected);
    expect(stored.estimator).toBe('es');
  });

  it('a snapshot of another run (runs.resumeFrom)', async () => {
    const parentSchedule = setAt(base(), 'start', { kind: 'generate', architecture: SMALL });
    const parent = await send({ method: 'runs.start', params: { name: 'parent', problem: 'duplicates', schedule: parentSchedule } });
    const snap = store.saveSnapshot(parent.id, {
      step: 0,
      reason: 'start',
      preregLoss: 1,
      links: [{ to: 'output', toPort: 'dict-1', from: 'compare', fromPort: 'true' }],
      weights: [0.5],
    });
    const d = setAt(setAt(base(), 'optimizer.lr', 0.3), 'start', { kind: 'repair' }); // the draft's start point is ignored
    const runSchedule = store.getRun(parent.id).schedule as unknown as JsonObject;
    const { stored, expected } = await roundTrip(
      form({ source: 'snapshot', snapshot: { id: snap.id, runSchedule }, draft: d, name: 'child' }),
    );
    expect(stored.schedule).toEqual(expected);
    expect(stored.parentSnapshotId).toBe(snap.id);
    expect(stored.schedule.start).toEqual(parentSchedule['start']);
    expect(stored.schedule.optimizer.lr).toBe(0.3);
  });

  it('a saved hyperparameter set is accepted by the lab and applies back to the same values', async () => {
    const d = setAt(setAt(base(), 'optimizer.lr', 0.07), 'polish.steps', 3);
    const reply = await dispatch(service.handlers, 'hyperSets.save', { name: 'mine', schedule: hyperSetContent(d) });
    expect(reply.ok).toBe(true);
    const saved = (reply as { result: { schedule: JsonObject } }).result;
    expect(applyHyperSet(base(), saved.schedule)).toEqual(applyHyperSet(base(), hyperSetContent(d)));
    expect(applyHyperSet(base(), saved.schedule)).toEqual(d);
  });
});
