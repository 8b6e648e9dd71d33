/**
 * What a run export must satisfy, beyond its shape (run-export.ts), before it is imported:
 * sizes and ranges a lab could have produced (a name of at most 200 characters, steps up to
 * a billion, times within the calendar, counts that are not negative), metric steps strictly
 * increasing and none past the run's own step count, and snapshots that are the run's own —
 * links between neurons its machine has, on ports those neurons have, and a stored loss
 * that its weights reproduce when evaluated afresh. Anything else is refused with the run
 * and the place named: an imported run must be as trustworthy as one recorded here.
 */
import { neuronType } from '../machine/neuron-types';
import { TargetCache } from '../problems/duplicates/loss';
import { alphabetOf } from '../synthesis/dataset';
import { SetObjective } from '../synthesis/objective';
import { parseSchedule } from '../synthesis/schedule';
import { startCircuit } from '../synthesis/start';
import { ApiError } from './dispatch';
import type { RunExport } from './run-export';

export const IMPORT_LIMITS = {
  /** Characters of a run's name (as for runs.update). */
  name: 200,
  notes: 1_000_000,
  statusReason: 10_000,
  tags: 50,
  tag: 100,
  /** Steps of a run (and every step number in it). */
  steps: 1_000_000_000,
  eventKind: 100,
  /** Characters of one event's data as JSON. */
  eventData: 1_000_000,
  /** Milliseconds since the epoch: the largest a Date can hold. */
  time: 8.64e15,
  /** Relative difference allowed between a snapshot's stored loss and its recomputed one. */
  lossTolerance: 1e-6,
} as const;

function refuse(where: string, what: string): never {
  throw new ApiError('bad-request', `${where}: ${what}`);
}

const isTime = (t: number | null) => t === null || (Number.isInteger(t) && t >= 0 && t <= IMPORT_LIMITS.time);

function checkCount(where: string, field: string, x: number | null, max: number = IMPORT_LIMITS.steps): void {
  if (x === null) return;
  if (!Number.isSafeInteger(x) || x < 0 || x > max) refuse(where, `${field} must be an integer from 0 to ${max}, got ${x}`);
}

/** Throws ApiError 'bad-request' naming the run and what is wrong. */
export function checkRunExport(e: RunExport): void {
  const r = e.run;
  const where = `run "${r.name.slice(0, 60)}${r.name.length > 60 ? '…' : ''}"`;
  if (r.name.length > IMPORT_LIMITS.name) refuse(where, `its name has ${r.name.length} characters, more than ${IMPORT_LIMITS.name}`);
  if (r.notes.length > IMPORT_LIMITS.notes) refuse(where, `its notes have ${r.notes.length} characters, more than ${IMPORT_LIMITS.notes}`);
  if (r.statusReason.length > IMPORT_LIMITS.statusReason)
    refuse(where, `its status reason is longer than ${IMPORT_LIMITS.statusReason} characters`);
  if (r.tags.length > IMPORT_LIMITS.tags) refuse(where, `it has ${r.tags.length} tags, more than ${IMPORT_LIMITS.tags}`);
  for (const t of r.tags) if (t.length > IMPORT_LIMITS.tag) refuse(where, `a tag is longer than ${IMPORT_LIMITS.tag} characters`);
  for (const [field, t] of [
    ['createdAt', r.createdAt],
    ['startedAt', r.startedAt],
    ['endedAt', r.endedAt],
  ] as const) {
    if (!isTime(t)) refuse(where, `${field} must be a time in milliseconds since 1970 (0 to ${IMPORT_LIMITS.time}), got ${t}`);
  }
  checkCount(where, 'steps', r.steps);
  checkCount(where, 'stepBudget', r.stepBudget);
  checkCount(where, 'softLinks', r.softLinks);
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) refuse(where, `seed must be a non-negative integer, got ${r.seed}`);

  let last = 0;
  e.metrics.forEach((m, i) => {
    const at = `${where}, metric ${i}`;
    checkCount(at, 'step', m.step);
    if (m.step <= last)
      refuse(at, m.step === last ? `step ${m.step} is given twice` : `steps must increase: ${m.step} comes after ${last}`);
    if (m.step > r.steps) refuse(at, `step ${m.step} is past the run's ${r.steps} steps`);
    checkCount(at, 'softLinks', m.softLinks);
    last = m.step;
  });

  e.events.forEach((ev, i) => {
    const at = `${where}, event ${i}`;
    checkCount(at, 'step', ev.step);
    if (!isTime(ev.at)) refuse(at, `at must be a time in milliseconds since 1970, got ${ev.at}`);
    if (ev.kind.length > IMPORT_LIMITS.eventKind) refuse(at, `its kind is longer than ${IMPORT_LIMITS.eventKind} characters`);
    if (JSON.stringify(ev.data).length > IMPORT_LIMITS.eventData)
      refuse(at, `its data is larger than ${IMPORT_LIMITS.eventData} characters`);
  });

  if (e.snapshots.length > 0) checkSnapshots(e, where);
}

/** Snapshots: the run's own neurons and ports, finite weights, and a loss their weights reproduce. */
function checkSnapshots(e: RunExport, where: string): void {
  const schedule = parseSchedule(e.run.schedule);
  let base;
  try {
    base = startCircuit(schedule.start, schedule.seed).base;
  } catch (err) {
    refuse(where, `its schedule's starting machine cannot be built: ${err instanceof Error ? err.message : String(err)}`);
  }
  const types = new Map(base.neurons.map((n) => [n.name, n.type]));
  const alphabet = alphabetOf([schedule.training.strings, schedule.testSuite]);
  const targets = new TargetCache();
  // a run continued from one of its own snapshots numbers its steps on from there: its curriculum counts from that step
  const offsets = [
    0,
    ...e.events.flatMap((ev) => (ev.kind === 'continue' && typeof ev.data['fromStep'] === 'number' ? [ev.data['fromStep']] : [])),
  ];
  e.snapshots.forEach((s, i) => {
    const at = `${where}, snapshot ${i} (step ${s.step})`;
    checkCount(at, 'step', s.step);
    if (!isTime(s.createdAt)) refuse(at, `createdAt must be a time in milliseconds since 1970, got ${s.createdAt}`);
    const { links, weights } = s.weights;
    if (links.length !== weights.length) refuse(at, `${links.length} links but ${weights.length} weights`);
    if (s.softLinks !== links.length) refuse(at, `softLinks says ${s.softLinks} but it has ${links.length} links`);
    weights.forEach((w, j) => {
      if (!Number.isFinite(w)) refuse(at, `weight ${j} is ${w}; weights must be finite`);
    });
    links.forEach((l, j) => {
      const toType = types.get(l.to);
      const fromType = types.get(l.from);
      if (toType === undefined) refuse(at, `link ${j} goes to neuron "${l.to}", which the run's machine does not have`);
      if (fromType === undefined) refuse(at, `link ${j} comes from neuron "${l.from}", which the run's machine does not have`);
      if (!neuronType(toType).inputs.includes(l.toPort))
        refuse(at, `link ${j}: ${toType} neuron "${l.to}" has no input port "${l.toPort}"`);
      if (!neuronType(fromType).outputs.includes(l.fromPort))
        refuse(at, `link ${j}: ${fromType} neuron "${l.from}" has no output port "${l.fromPort}"`);
    });
    if (s.preregLoss === null) return; // not finite when stored: nothing to compare
    const w = Float64Array.from(weights);
    let objective: SetObjective;
    try {
      objective = new SetObjective(
        { base, links, weights: w },
        schedule.training.strings,
        alphabet,
        'exact',
        schedule.training.curriculum,
        targets,
      );
    } catch (err) {
      refuse(at, `its circuit cannot be evaluated: ${err instanceof Error ? err.message : String(err)}`);
    }
    const stored = s.preregLoss;
    const close = (x: number) => Math.abs(x - stored) <= IMPORT_LIMITS.lossTolerance * Math.max(1, Math.abs(stored));
    const steps = schedule.training.curriculum ? offsets.map((o) => s.step - o + 1) : [s.step + 1];
    const losses = steps.map((step) => objective.evaluate(w, { l1: 0, l2: 0 }, step).preregLoss);
    if (!losses.some(close))
      refuse(at, `its stored loss ${stored} is not what its weights give (${losses[0]}): the snapshot does not belong to these weights`);
  });
}
