/**
 * The verdict is part of what a run is: a real SQLite file migrated from schema 4 gets each
 * run's verdict from its stored verdict events (and old "stop rule: …" reasons read as what
 * happened); verdict events stored later set it; a continued run has none until it is judged
 * again; `verdict = failed` filters; and a real synthesis from a matrix without an `input`
 * neuron (the CLI, a child process) ends completed with verdict failed.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { migrate, MIGRATIONS } from '../../src-main/store/migrations';
import { RunStore } from '../../src-main/store/run-store';
import { tempDir } from '../helpers/lab';
import { FIXTURES, ROOT, runCli } from '../helpers/cli';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('run verdicts in the store', () => {
  it('migration 5 fills the verdict from stored verdict events and rewrites stop-rule reasons', () => {
    const f = join(tmp.dir, 'v4.sqlite');
    const raw = new Database(f);
    migrate(raw, MIGRATIONS.slice(0, 4));
    const insert = raw.prepare(
      `INSERT INTO runs (name, problem, status, status_reason, estimator, seed, schedule, created_at, ended_at, steps, step_budget)
       VALUES (?, 'duplicates', 'completed', ?, 'gradient', 5, ?, 1000, 2000, 10, 100) RETURNING id`,
    );
    const schedule = JSON.stringify(defaultSchedule(5));
    const passed = insert.pluck().get('passed after a failed attempt', 'stop rule: stalled', schedule) as number;
    const failed = insert.pluck().get('failed', 'stop rule: target', schedule) as number;
    const none = insert.pluck().get('no verdict', 'stopped on request', schedule) as number;
    const event = raw.prepare(`INSERT INTO events (run_id, step, kind, at, data) VALUES (?, 1, 'verdict', 1, ?)`);
    event.run(passed, JSON.stringify({ kind: 'verdict', passed: false }));
    event.run(passed, JSON.stringify({ kind: 'verdict', passed: true }));
    event.run(failed, JSON.stringify({ kind: 'verdict', passed: false }));
    raw.close();
    const store = RunStore.open(f);
    try {
      const get = (id: number) => store.getRunSummary(id);
      expect([get(passed).verdict, get(failed).verdict, get(none).verdict]).toEqual(['passed', 'failed', 'none']);
      expect(get(passed).statusReason).toBe('finished: no further cut held');
      expect(get(failed).statusReason).toBe('verdict failed; stopped: reached the target size');
      expect(get(none).statusReason).toBe('stopped on request');
      expect(store.listRuns({ where: [{ field: 'verdict', op: '=', value: 'failed' }] }).runs.map((r) => r.id)).toEqual([failed]);
      expect(
        store
          .listRuns({ where: [{ field: 'verdict', op: '!=', value: 'failed' }] })
          .runs.map((r) => r.id)
          .sort(),
      ).toEqual([passed, none].sort());
      expect(() => store.listRuns({ where: [{ field: 'verdict', op: '<', value: 'failed' }] })).toThrow(/use = or !=/);
      expect(store.integrityCheck()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('verdict events set the verdict as they are stored; a passing attempt wins; continuing clears it', () => {
    const store = RunStore.open(join(tmp.dir, 'live.sqlite'));
    try {
      const run = store.createRun({ schedule: defaultSchedule(3) });
      expect(store.getRunSummary(run.id).verdict).toBe('none');
      store.appendEvent(run.id, { step: 5, kind: 'verdict', data: { kind: 'verdict', passed: false } });
      expect(store.getRunSummary(run.id).verdict).toBe('failed');
      store.appendEvent(run.id, { step: 9, kind: 'verdict', data: { kind: 'verdict', passed: true } });
      expect(store.getRunSummary(run.id).verdict).toBe('passed');
      // a later failing verdict (not possible in one synthesis, but stored data is what it is) keeps the pass
      store.appendEvent(run.id, { step: 10, kind: 'verdict', data: { kind: 'verdict', passed: false } });
      expect(store.getRunSummary(run.id).verdict).toBe('passed');
      store.saveSnapshot(run.id, { step: 4, reason: 'interval', preregLoss: 1, links: [], weights: new Float64Array() });
      const snap = store.listSnapshots(run.id)[0]!;
      store.setStatus(run.id, 'completed', 'finished: reached the target size');
      store.reopenRun(run.id, snap.id);
      expect(store.getRunSummary(run.id).verdict).toBe('none');
    } finally {
      store.close();
    }
  });
});

describe('a run whose circuit cannot read its input', () => {
  it('ends completed with verdict failed, and its reason says so', () => {
    const m = JSON.parse(readFileSync(join(ROOT, FIXTURES, 'sparse16-after-2500-steps-matrix.json'), 'utf8')) as Record<
      string,
      Record<string, Record<string, Record<string, number>>>
    >;
    // every link that reads `input` removed: the machine has no input neuron
    for (const ports of Object.values(m)) for (const sources of Object.values(ports)) delete sources['input'];
    const start = join(tmp.dir, 'no-input.json');
    writeFileSync(start, JSON.stringify(m));
    const schedule = join(tmp.dir, 'schedule.json');
    writeFileSync(
      schedule,
      JSON.stringify({
        dense: { steps: 40, until: 0 },
        stop: { stepBudget: 120, targetLinks: 8 },
        polish: { steps: 5 },
        restarts: { max: 0 },
        regrow: { max: 0 },
        training: { strings: [{ text: 'abca.', cycles: 40 }] },
        testSuite: [{ text: 'ab.', cycles: 30 }],
      }),
    );
    const db = join(tmp.dir, 'cli.sqlite');
    const r = runCli(['synth', '--schedule', schedule, '--start', start, '--db', db, '--no-progress', '--json']);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.status).toBe(0);
    const store = RunStore.open(db);
    try {
      const run = store.listRuns({}).runs[0]!;
      expect(run.status).toBe('completed');
      expect(run.verdict).toBe('failed');
      expect(run.statusReason).toMatch(/^verdict failed \(training loss .* > 0\.001/);
    } finally {
      store.close();
    }
  }, 120_000);
});

describe('the step counter and its ceiling', () => {
  it("a run with restarts and polishes never counts past its stored budget; its final loss is the kept circuit's", () => {
    const schedule = join(tmp.dir, 'restarts.json');
    // training loss bound 0: every attempt fails its verdict, so both attempts run
    writeFileSync(
      schedule,
      JSON.stringify({
        start: {
          kind: 'generate',
          architecture: { layers: 2, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.1 },
        },
        dense: { steps: 30, until: 0 },
        stop: { stepBudget: 60, targetLinks: 8 },
        polish: { steps: 25 },
        restarts: { max: 1, trainLoss: 0 },
        regrow: { max: 0 },
        training: { strings: [{ text: 'abca.', cycles: 40 }] },
        testSuite: [{ text: 'ab.', cycles: 30 }],
      }),
    );
    const db = join(tmp.dir, 'restarts.sqlite');
    const r = runCli(['synth', '--schedule', schedule, '--db', db, '--no-progress', '--json']);
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { steps: number; trainLoss: number };
    const store = RunStore.open(db);
    try {
      const run = store.listRuns({}).runs[0]!;
      expect(run.steps).toBe(printed.steps);
      expect(run.steps).toBeGreaterThan(60); // past the per-attempt budget the schedule names
      expect(run.stepBudget).toBe(2 * (60 + 25));
      expect(run.steps).toBeLessThanOrEqual(run.stepBudget);
      expect(run.finalLoss).toBeCloseTo(printed.trainLoss, 12);
    } finally {
      store.close();
    }
  }, 120_000);
});
