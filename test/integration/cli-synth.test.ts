/**
 * The `synth` and `test` commands run as real child processes: a CI-sized schedule file
 * gives one JSON summary whose figures agree with an independent evaluation of the circuit
 * it writes, the same seed writes the same file, bad schedules and options fail clearly,
 * and `test` reports a matrix against the hand-crafted detector on the held-out suite.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportPrototypeMatrix, importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { CompiledMachine } from '../../src-shared/machine/compiled';
import type { MachineSpec } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { DEFAULT_TEST_SUITE } from '../../src-shared/synthesis/dataset';
import { ROOT as PATH_ROOT } from '../../src-shared/vvalue/path-layout';
import { FIXTURES, ROOT, type CliResult } from '../helpers/cli';

const tmp = mkdtempSync(join(tmpdir(), 'dmm-synth-'));

/**
 * Like runCli, but asynchronous: every command of this file is queued when the file loads
 * and they run two at a time (the machine has two cores), so the file stays fast.
 */
const SLOTS = 2;
let running = 0;
const queue: (() => void)[] = [];
async function cli(args: string[], timeout = 120_000): Promise<CliResult> {
  if (running >= SLOTS) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await spawnCli(args, timeout);
  } finally {
    running--;
    queue.shift()?.();
  }
}

function spawnCli(args: string[], timeout: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({
        status,
        stdout,
        stderr,
        lines: () =>
          stdout
            .split('\n')
            .filter((l) => l.length > 0)
            .map((l) => JSON.parse(l) as Record<string, unknown>),
      });
    });
  });
}

const write = (name: string, text: string) => {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
};

/** Two strings of the default test suite, so `test` (which runs the whole suite) can be compared with `synth`. */
const SUITE = DEFAULT_TEST_SUITE.filter((s) => s.text === 'q' || s.text === 'ab');
/** One training string: the CLI then needs no gradient worker thread (one fewer than the strings), which keeps it quick. */
const TRAINING = [{ text: 'aba.b.', cycles: 70 }];

const CI_SCHEDULE = {
  seed: 7,
  start: { kind: 'generate', architecture: { layers: 2, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.01 } },
  training: { strings: TRAINING },
  testSuite: SUITE,
  dense: { steps: 40 },
  rounds: { retrain: { chunk: 10, budget: 20, fineBudget: 10 }, fineTries: 2, fineBelow: 10 },
  stop: { targetLinks: 4, stepBudget: 150 },
  polish: { steps: 10 },
  regrow: { max: 0 },
  // the minimality check, as short as the rest of this schedule
  certificate: { steps: 20 },
  restarts: { max: 0, validation: [{ text: 'aab.', cycles: 50 }] },
};

/** output.dict-1 and output.dict-2 at every cycle, by the compiled engine. */
function outputs(spec: MachineSpec, text: string, cycles: number): Float64Array {
  const m = new CompiledMachine(spec, { alphabet: [...new Set(text + '.')].sort() });
  m.run(m.paramVector(spec.trainable), { inputString: text }, cycles);
  const root = m.layout.indexOf(PATH_ROOT);
  const offsets = ['dict-1', 'dict-2'].map((p) => m.inputOffset('output', p));
  const out = new Float64Array(2 * cycles);
  for (let t = 1; t <= cycles; t++) offsets.forEach((o, j) => (out[2 * (t - 1) + j] = o < 0 ? 0 : m.readInput(t, o, root)));
  return out;
}

/** Spec §5 loss of `spec` against the hand-crafted detector on one string: [Σ squared differences, largest one]. */
function lossAgainstDetector(spec: MachineSpec, text: string, cycles: number): [number, number] {
  const y = outputs(spec, text, cycles);
  const target = outputs(handcraftedDetector(), text, cycles);
  let sum = 0;
  let worst = 0;
  y.forEach((v, i) => {
    const e = (v - (target[i] as number)) ** 2;
    sum += e;
    worst = Math.max(worst, e);
  });
  return [sum, worst];
}

const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

describe('synth with a CI-sized schedule', () => {
  const schedule = write('ci-schedule.json', JSON.stringify(CI_SCHEDULE, null, 2));
  const outA = join(tmp, 'a', 'circuit.json'); // a directory that does not exist yet
  const outB = join(tmp, 'b.json');
  const outC = join(tmp, 'c.json');
  const events = join(tmp, 'events.jsonl');
  let a: CliResult;
  let b: CliResult;
  let c: CliResult;
  let t: CliResult;
  let e: CliResult;
  const first = cli(['synth', '--schedule', schedule, '--json', '--out', outA, '--events', events]);
  const runs = Promise.all([
    first,
    cli(['synth', '--schedule', schedule, '--seed', '7', '--json', '--out', outB]),
    cli(['synth', '--schedule', schedule, '--seed', '8', '--json', '--out', outC]),
    first.then(() => Promise.all([cli(['test', '--matrix', outA, '--json']), cli(['eval', '--matrix', outA, '--json'])])),
  ]);

  beforeAll(async () => {
    [a, b, c, [t, e]] = await runs;
  }, 120_000);

  it('--json prints exactly one JSON line with the summary keys, all figures finite', () => {
    expect(a.status, a.stderr).toBe(0);
    const lines = a.lines();
    expect(lines).toHaveLength(1);
    const o = lines[0] as Record<string, unknown>;
    for (const k of ['softLinks', 'trainLoss', 'testLoss', 'testWorst', 'seconds']) {
      expect(typeof o[k], k).toBe('number');
      expect(Number.isFinite(o[k] as number), k).toBe(true);
      expect(o[k] as number, k).toBeGreaterThanOrEqual(0);
    }
    expect(Number.isInteger(o.softLinks)).toBe(true);
    expect(o.out).toBe(outA);
    expect(o.seed).toBe(7);
    expect(o.testWorst as number).toBeLessThanOrEqual(o.testLoss as number);
    // the schedule's step budget bounds the run (plus the polish, which ignores it)
    expect(o.steps as number).toBeLessThanOrEqual(CI_SCHEDULE.stop.stepBudget + CI_SCHEDULE.polish.steps);
  });

  it('the circuit file is a prototype matrix whose losses are the ones reported', () => {
    const o = a.lines()[0] as Record<string, number>;
    const spec = importPrototypeMatrix(readFileSync(outA, 'utf8'));
    const train = TRAINING.reduce((s, x) => s + lossAgainstDetector(spec, x.text, x.cycles)[0], 0);
    expect(close(train, o.trainLoss as number), `train ${train} vs ${o.trainLoss}`).toBe(true);
    const test = SUITE.map((x) => lossAgainstDetector(spec, x.text, x.cycles));
    expect(
      close(
        test.reduce((s, [l]) => s + l, 0),
        o.testLoss as number,
      ),
    ).toBe(true);
    expect(close(Math.max(...test.map(([, w]) => w)), o.testWorst as number)).toBe(true);
  });

  it("test and eval accept the circuit file; test's per-string figures agree with synth's", () => {
    const o = a.lines()[0] as Record<string, number>;
    expect(t.status, t.stderr).toBe(0);
    expect(e.status, e.stderr).toBe(0);
    const report = t.lines()[0] as {
      softLinks: number;
      testLoss: number;
      testWorst: number;
      strings: { text: string; loss: number; worst: number }[];
    };
    expect(report.softLinks).toBe(o.softLinks);
    const ours = report.strings.filter((s) => SUITE.some((x) => x.text === s.text));
    expect(ours).toHaveLength(SUITE.length);
    expect(
      close(
        ours.reduce((s, x) => s + x.loss, 0),
        o.testLoss as number,
      ),
    ).toBe(true);
    expect(close(Math.max(...ours.map((x) => x.worst)), o.testWorst as number)).toBe(true);
    expect((e.lines()[0] as Record<string, number>).softLinks).toBe(o.softLinks);
  });

  it('--events writes one JSON decision per line, ending with the stop that matches the summary', () => {
    const o = a.lines()[0] as Record<string, unknown>;
    const lines = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0]).toMatchObject({ kind: 'phase', phase: 'dense', step: 0 });
    expect(lines.at(-1)).toMatchObject({ kind: 'stop', reason: o.stopReason, softLinks: o.softLinks, step: o.steps });
  });

  it('the same seed (from the file, or given again by --seed) writes the same circuit file, byte for byte; --seed 8 another one', () => {
    expect(b.status, b.stderr).toBe(0);
    expect(readFileSync(outB).equals(readFileSync(outA))).toBe(true);
    const { seconds: _s1, out: _o1, ...sa } = a.lines()[0] as Record<string, unknown>;
    const { seconds: _s2, out: _o2, ...sb } = b.lines()[0] as Record<string, unknown>;
    expect(sb).toEqual(sa);

    expect(c.status, c.stderr).toBe(0);
    expect((c.lines()[0] as Record<string, unknown>).seed).toBe(8);
    expect(readFileSync(outC).equals(readFileSync(outA))).toBe(false);
  });
});

describe('synth refuses bad input with a clear message and nothing on stdout', () => {
  const bad = (name: string, overrides: Record<string, unknown>) => write(name, JSON.stringify({ ...CI_SCHEDULE, ...overrides }));
  const cases: [string, () => string[], number, RegExp][] = [
    [
      'negative learning rate',
      () => ['synth', '--schedule', bad('neg-lr.json', { optimizer: { lr: -0.1 } }), '--json'],
      1,
      /neg-lr\.json: .*optimizer\.lr: must be > 0/,
    ],
    [
      'a learning rate that is not a number, an empty training string and a cut fraction of 1: each is named',
      () => [
        'synth',
        '--schedule',
        bad('several.json', {
          optimizer: { lr: 'NaN' },
          training: { strings: [{ text: '', cycles: 40 }] },
          rounds: { cut: { kind: 'fraction', fraction: 1 } },
        }),
        '--json',
      ],
      1,
      /^(?=[\s\S]*optimizer\.lr)(?=[\s\S]*training\.strings\.0\.text)(?=[\s\S]*rounds\.cut\.fraction)/,
    ],
    [
      'malformed JSON',
      () => ['synth', '--schedule', write('broken.json', '{"seed": 7, "optimizer": {'), '--json'],
      1,
      /broken\.json is not valid JSON/,
    ],
    [
      'a missing schedule file',
      () => ['synth', '--schedule', join(tmp, 'nope.json'), '--json'],
      1,
      /cannot read schedule file .*nope\.json/,
    ],
    ['a seed that is not a number', () => ['synth', '--seed', 'abc', '--json'], 2, /--seed must be an integer/],
  ];
  let results: CliResult[] = [];
  const runs = Promise.all(cases.map(([, args]) => cli(args())));
  beforeAll(async () => {
    results = await runs;
  }, 120_000);
  cases.forEach(([what, , code, message], i) => {
    it(what, () => {
      const r = results[i] as CliResult;
      expect(r.status, r.stderr).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  });
});

describe('test', () => {
  const handcrafted = write('handcrafted.json', exportPrototypeMatrix(handcraftedDetector().trainable));
  const sparse20 = `${FIXTURES}/sparse20-after-200-steps-matrix.json`;
  let hc: CliResult;
  let fx: CliResult;
  let human: CliResult;
  const runs = Promise.all([
    cli(['test', '--matrix', handcrafted, '--json']),
    cli(['test', '--matrix', sparse20, '--json']),
    cli(['test', '--matrix', handcrafted]),
  ]);
  beforeAll(async () => {
    [hc, fx, human] = await runs;
  }, 120_000);

  it('the hand-crafted detector against itself: 8 soft links, test loss 0, worst 0 on every string of the suite', () => {
    expect(hc.status, hc.stderr).toBe(0);
    const lines = hc.lines();
    expect(lines).toHaveLength(1);
    const r = lines[0] as {
      softLinks: number;
      testLoss: number;
      testWorst: number;
      strings: { text: string; cycles: number; loss: number; worst: number }[];
    };
    expect(Object.keys(r).sort()).toEqual(['softLinks', 'strings', 'testLoss', 'testWorst']);
    expect(r.softLinks).toBe(8);
    expect(r.testLoss).toBe(0);
    expect(r.testWorst).toBe(0);
    expect(r.strings.map((s) => [s.text, s.cycles])).toEqual(DEFAULT_TEST_SUITE.map((s) => [s.text, s.cycles]));
    for (const s of r.strings) expect([s.loss, s.worst]).toEqual([0, 0]);
  });

  it('a 2022 circuit (19 soft links): per-string figures match an independent evaluation; totals are their sum and max', () => {
    expect(fx.status, fx.stderr).toBe(0);
    const r = fx.lines()[0] as {
      softLinks: number;
      testLoss: number;
      testWorst: number;
      strings: { text: string; cycles: number; loss: number; worst: number }[];
    };
    expect(r.softLinks).toBe(19);
    const spec = importPrototypeMatrix(readFileSync(join(ROOT, sparse20), 'utf8'));
    expect(r.strings).toHaveLength(DEFAULT_TEST_SUITE.length);
    r.strings.forEach((s, i) => {
      const d = DEFAULT_TEST_SUITE[i] as (typeof DEFAULT_TEST_SUITE)[number];
      expect([s.text, s.cycles]).toEqual([d.text, d.cycles]);
      const [loss, worst] = lossAgainstDetector(spec, d.text, d.cycles);
      expect(close(s.loss, loss), `${d.text}: loss ${s.loss} vs ${loss}`).toBe(true);
      expect(close(s.worst, worst), `${d.text}: worst ${s.worst} vs ${worst}`).toBe(true);
    });
    expect(
      close(
        r.testLoss,
        r.strings.reduce((a, s) => a + s.loss, 0),
      ),
    ).toBe(true);
    expect(r.testWorst).toBe(Math.max(...r.strings.map((s) => s.worst)));
    // the 19-link circuit is not exact off its training string
    expect(r.testLoss).toBeGreaterThan(0);
  });

  it('without --json prints a readable report', () => {
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/8 soft links/);
    expect(human.stdout).toMatch(/meets the 0\.05 bar/);
    for (const s of DEFAULT_TEST_SUITE) expect(human.stdout).toContain(JSON.stringify(s.text));
  });
});
