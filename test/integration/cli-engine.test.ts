/**
 * The engine's command line (eval, train, bench) run as real child processes: JSON
 * contracts, fidelity to the 2022 prototype's logged trajectory, and clear failures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers/cli';

const initial = `${FIXTURES}/initial-matrix.json`;
const tmp = mkdtempSync(join(tmpdir(), 'dmm-cli-'));

describe('eval', () => {
  it('--json prints exactly one object with the contract keys; reproduces the prototype figures', () => {
    const r = runCli(['eval', '--matrix', initial, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.lines();
    expect(lines).toHaveLength(1);
    const o = lines[0] as Record<string, number>;
    expect(Object.keys(o).sort()).toEqual(['l1', 'l2', 'loss', 'preregLoss', 'softLinks']);
    expect(Math.abs((o.preregLoss as number) - 434.98627) / 434.98627).toBeLessThanOrEqual(1e-4);
    expect(o.l1).toBeCloseTo(11.908083, 5);
    expect(o.softLinks).toBe(1486);
    expect(o.loss).toBeCloseTo((o.preregLoss as number) + 0.001 * (o.l1 as number), 9);
  });

  it('honours --string, --cycles, --l1 and --l2', () => {
    const base = runCli(['eval', '--matrix', `${FIXTURES}/sparse20-after-200-steps-matrix.json`, '--json']).lines()[0] as Record<
      string,
      number
    >;
    const other = runCli([
      'eval',
      '--matrix',
      `${FIXTURES}/sparse20-after-200-steps-matrix.json`,
      '--string',
      'a.b.c.d.e.',
      '--cycles',
      '160',
      '--l1',
      '0.1',
      '--l2',
      '0.01',
      '--json',
    ]).lines()[0] as Record<string, number>;
    expect(other.softLinks).toBe(19);
    expect(other.preregLoss).toBeGreaterThan(base.preregLoss as number);
    expect(other.loss).toBeCloseTo((other.preregLoss as number) + 0.1 * (other.l1 as number) + 0.01 * (other.l2 as number), 9);
  });
});

describe('train', () => {
  it('--gradients prototype retraces the 2022 prototype log step by step (32 steps)', () => {
    const log = JSON.parse(readFileSync('test/fixtures/prototype-run3-first-32-steps.json', 'utf8')) as { steps: [number, number][] };
    const r = runCli(['train', '--matrix', initial, '--steps', '32', '--gradients', 'prototype', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.lines() as Record<string, number>[];
    expect(lines).toHaveLength(32);
    lines.forEach((o, i) => {
      const [prereg, l1] = log.steps[i] as [number, number];
      expect(o.step).toBe(i + 1);
      expect(Object.keys(o).sort()).toEqual(['l1', 'loss', 'preregLoss', 'step']);
      expect(Math.abs((o.preregLoss as number) - prereg) / prereg, `step ${i + 1}`).toBeLessThan(2e-5);
      expect(Math.abs((o.l1 as number) - l1) / l1, `step ${i + 1}`).toBeLessThan(2e-5);
    });
  });

  it('exact gradients take a different trajectory from the first update on', () => {
    const exact = runCli(['train', '--matrix', initial, '--steps', '2', '--json']).lines() as Record<string, number>[];
    const proto = runCli(['train', '--matrix', initial, '--steps', '2', '--gradients', 'prototype', '--json']).lines() as Record<
      string,
      number
    >[];
    expect(exact[0]?.preregLoss).toBe(proto[0]?.preregLoss);
    expect(Math.abs((exact[1]?.preregLoss as number) - (proto[1]?.preregLoss as number))).toBeGreaterThan(1);
  });

  it("--out writes the final matrix in the prototype format: it evaluates to the next step's loss", () => {
    const out = join(tmp, 'after-3.json');
    const r = runCli([
      'train',
      '--matrix',
      `${FIXTURES}/sparse18-after-100-steps-matrix.json`,
      '--steps',
      '3',
      '--lr',
      '0.01',
      '--l1',
      '0.01',
      '--out',
      out,
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const four = runCli([
      'train',
      '--matrix',
      `${FIXTURES}/sparse18-after-100-steps-matrix.json`,
      '--steps',
      '4',
      '--lr',
      '0.01',
      '--l1',
      '0.01',
      '--json',
    ]).lines();
    const evaluated = runCli(['eval', '--matrix', out, '--l1', '0.01', '--json']).lines()[0] as Record<string, number>;
    expect(evaluated.preregLoss).toBe((four[3] as Record<string, number>).preregLoss);
    expect(evaluated.softLinks).toBe(27);
  });
});

describe('bench', () => {
  it('--json prints one line per engine with the contract keys and consistent figures', () => {
    const r = runCli(['bench', '--runs', '3', '--warmup', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.lines() as Record<string, number | string>[];
    expect(lines.map((o) => o.engine)).toEqual(['fast', 'fast-ts', 'compiled']);
    expect(lines.map((o) => o.backend)).toEqual(['wasm', 'ts', 'compiled']);
    for (const o of lines) {
      for (const k of [
        'engine',
        'stepMs',
        'forwardMs',
        'batchEvalsPerSec',
        'batchEvalsPerCpuSec',
        'trainingSetStepsPerSec',
        'ratio',
        'runs',
        'node',
        'softLinks',
      ]) {
        expect(o).toHaveProperty(k);
      }
      expect(o.runs).toBe(3);
      expect(o.node).toBe(process.version);
      expect(o.softLinks).toBe(1486);
      expect(o.forwardMs as number).toBeGreaterThan(0);
      expect(o.batchEvalsPerSec as number).toBeGreaterThan(0);
      expect(o.batchEvalsPerCpuSec as number).toBeGreaterThan(0);
      expect(o.ratio as number).toBeCloseTo((o.stepMs as number) / (o.forwardMs as number), 1);
    }
  });

  it('--engine times one engine', () => {
    const r = runCli(['bench', '--runs', '2', '--warmup', '1', '--engine', 'compiled', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines().map((o) => (o as { engine: string }).engine)).toEqual(['compiled']);
  });
});

describe('--engine', () => {
  it('eval and train print the same figures on every engine (to rounding)', () => {
    const evals = ['fast', 'fast-ts', 'compiled'].map(
      (e) => runCli(['eval', '--matrix', initial, '--engine', e, '--json']).lines()[0] as Record<string, number>,
    );
    for (const o of evals) expect(Math.abs((o.preregLoss as number) / (evals[2]!.preregLoss as number) - 1)).toBeLessThan(1e-12);
    const trains = ['fast', 'compiled'].map((e) =>
      runCli(['train', '--matrix', initial, '--steps', '3', '--engine', e, '--json'])
        .lines()
        .map((o) => (o as { loss: number }).loss),
    );
    trains[0]!.forEach((x, i) => expect(Math.abs(x / trains[1]![i]! - 1)).toBeLessThan(1e-10));
  });

  it('an unknown engine is a command-line error', () => {
    const r = runCli(['eval', '--matrix', initial, '--engine', 'gpu', '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--engine must be one of fast, fast-ts, compiled/);
  });
});

describe('bad input: a clear message, a failing exit code, nothing on stdout', () => {
  const bad = (name: string, text: string) => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };
  const cases: [string, string[], number, RegExp][] = [
    ['missing file', ['eval', '--matrix', join(tmp, 'nope.json'), '--json'], 1, /cannot read matrix file .*nope\.json/],
    ['malformed JSON', ['eval', '--matrix', bad('broken.json', '{"output": {"dict-1": '), '--json'], 1, /not valid JSON/],
    [
      'non-numeric weight',
      ['eval', '--matrix', bad('string.json', '{"norm-1-1": {"dict": {"input": {"char": "x"}}}}'), '--json'],
      1,
      /\$\["norm-1-1"\]\["dict"\]\["input"\]\["char"\]/,
    ],
    [
      'unknown neuron type',
      ['eval', '--matrix', bad('unknown.json', '{"blob-1-1": {"dict": {"input": {"char": 1}}}}'), '--json'],
      1,
      /unknown neuron type prefix in "blob-1-1"/,
    ],
    [
      'infinite weight',
      ['eval', '--matrix', bad('inf.json', '{"norm-1-1": {"dict": {"input": {"char": 1e400}}}}'), '--json'],
      1,
      /Infinity/,
    ],
    ['zero steps', ['train', '--matrix', initial, '--steps', '0', '--json'], 2, /--steps must be a positive integer/],
    ['NaN learning rate', ['train', '--matrix', initial, '--steps', '1', '--lr', 'NaN', '--json'], 2, /--lr must be a finite number > 0/],
    [
      'unknown gradient mode',
      ['train', '--matrix', initial, '--steps', '1', '--gradients', 'fast', '--json'],
      2,
      /--gradients must be one of exact, prototype/,
    ],
    ['empty string', ['eval', '--matrix', initial, '--string', '', '--json'], 2, /--string must not be empty/],
    ['unknown command', ['frobnicate'], 2, /unknown command/],
  ];
  for (const [what, args, code, message] of cases) {
    it(what, () => {
      const r = runCli(args);
      expect(r.status).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('a training run that diverges stops with a message and keeps the last finite weights', () => {
    const out = join(tmp, 'diverged.json');
    const r = runCli([
      'train',
      '--matrix',
      `${FIXTURES}/sparse20-after-200-steps-matrix.json`,
      '--steps',
      '50',
      '--lr',
      '1e300',
      '--out',
      out,
      '--json',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/diverged at step \d+/);
    const kept = runCli(['eval', '--matrix', out, '--json']);
    expect(kept.status, kept.stderr).toBe(0);
    expect(Number.isFinite((kept.lines()[0] as Record<string, number>).loss)).toBe(true);
  });
});
