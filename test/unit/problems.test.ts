/**
 * Problems as data: the built-in set validates, each teacher's target timeline is the one
 * documented (docs/problems.md; the figures below are written from the problem statements,
 * not read from the code), each teacher has zero loss against itself, the tree loss has
 * exact gradients on both engines, and bad definitions are refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import { CompiledMachine } from '../../src-shared/machine/compiled';
import { linksToMatrix, matrixLinks, type MachineSpec } from '../../src-shared/machine/spec';
import { builtinProblem, builtinProblemInputs, builtinProblems } from '../../src-shared/problems/builtin/index';
import { circuitLoss, CompiledLoss, InterpretedLoss } from '../../src-shared/problems/loss';
import { inputMode, symbolsOf, teacherSoftLinks, teacherSpec, type Problem, type ProblemInput } from '../../src-shared/problems/problem';
import { scheduleForProblem } from '../../src-shared/problems/problem-schedule';
import { needsInterpreter, targetTimeline, taskOf, TeacherTargets } from '../../src-shared/problems/targets';
import { validateProblem } from '../../src-shared/problems/validate';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { startCircuit } from '../../src-shared/synthesis/start';
import { runTestSuite } from '../../src-shared/synthesis/test-suite';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { heldOutStrings } from '../../src-shared/problems/builtin/held-out';
import { frameOf } from '../../src-shared/problems/problem-frame';
import { exportPrototypeMatrix, prototypeMatrixSpec } from '../../src-shared/io/prototype-matrix';
import { parseVValueJson } from '../../src-shared/vvalue/parse';
import { centralDifference, expectClose } from '../helpers/numeric';

const problem = (name: string): Problem => {
  const p = builtinProblem(name);
  if (!p) throw new Error(`no built-in problem ${name}`);
  return p;
};

/** The value of a scalar output from cycle `from` on, as [cycle, value] steps (the timeline's change points). */
function timeline(name: string, text: string, cycles: number, output = 0) {
  const p = problem(name);
  const targets = new TeacherTargets(taskOf(p)).get(text, cycles);
  return targetTimeline(targets, output).map((x) => [x.cycle, x.value] as const);
}

describe('the built-in problem set', () => {
  it('has the six problems of the DMM literature (self-wave twice: K = 3 and K = 8), each valid as data', () => {
    expect(builtinProblems().map((p) => p.name)).toEqual([
      'duplicates',
      'word-duplicates',
      'bracket-count',
      'adjacent-repeat',
      'last-three',
      'self-wave',
      'self-wave-8',
    ]);
    // each passes the full validation (teacher runs, default schedule valid, start builds)
    for (const input of builtinProblemInputs()) expect(validateProblem(JSON.parse(JSON.stringify(input))).name).toBe(input.name);
  });

  it('duplicates is the detector of spec §4–§5 unchanged: its teacher, and exactly the default schedule', () => {
    const p = problem('duplicates');
    expect(teacherSpec(p)).toEqual(handcraftedDetector());
    expect(teacherSoftLinks(p)).toBe(8);
    for (const seed of [1, 7]) expect(scheduleForProblem(p, {}, seed)).toEqual(defaultSchedule(seed));
  });

  it('duplicates: the hand-crafted targets of spec §5 on "test string." over 140 cycles', () => {
    expect(timeline('duplicates', 'test string.', 140, 0)).toEqual([
      [1, 0],
      [35, 1],
      [65, 2],
    ]);
    expect(timeline('duplicates', 'test string.', 140, 1)).toEqual([
      [1, 0],
      [114, 1],
      [124, 2],
      [134, 3],
    ]);
  });

  it('word-duplicates: "the cat saw the dog . the dog ran ." over 110 cycles: (1,0) at 35, (1,1) at 54, (2,1) at 65, (2,2) at 94, (2,3) at 104', () => {
    const s = 'the cat saw the dog . the dog ran .';
    expect(timeline('word-duplicates', s, 110, 0)).toEqual([
      [1, 0],
      [35, 1],
      [65, 2],
    ]);
    expect(timeline('word-duplicates', s, 110, 1)).toEqual([
      [1, 0],
      [54, 1],
      [94, 2],
      [104, 3],
    ]);
  });

  it('bracket-count: on "x(yy(zz))y" the depth rises and falls with the brackets and z counts double at depth 2', () => {
    // characters arrive at cycles 1, 11, …, 91; the depth shows 3 cycles after its bracket
    expect(timeline('bracket-count', 'x(yy(zz))y', 110, 0)).toEqual([
      [1, 0],
      [14, 1],
      [44, 2],
      [74, 1],
      [84, 0],
    ]);
    // largest depth-weighted count: y twice at depth 1 (2 from cycle 35), z twice at depth 2 (4 from cycle 65)
    expect(timeline('bracket-count', 'x(yy(zz))y', 110, 1)).toEqual([
      [1, 0],
      [25, 1],
      [35, 2],
      [65, 4],
    ]);
  });

  it('adjacent-repeat: on "aab.bb" the count rises at 16 and 56, and output.dict-2 pulses for one cycle just before (15 and 55)', () => {
    expect(timeline('adjacent-repeat', 'aab.bb', 60, 0)).toEqual([
      [1, 0],
      [16, 1],
      [56, 2],
    ]);
    expect(timeline('adjacent-repeat', 'aab.bb', 60, 1)).toEqual([
      [1, 0],
      [15, 1],
      [16, 0],
      [55, 1],
      [56, 0],
    ]);
  });

  it('last-three: the output is the whole list of the last three characters (a tree), newest first', () => {
    const p = problem('last-three');
    const targets = new TeacherTargets(taskOf(p)).get('abcd', 50);
    expect(targetTimeline(targets, 0)).toEqual([
      { cycle: 1, value: {} },
      { cycle: 4, value: { 'this.a': 1 } },
      { cycle: 14, value: { 'this.b': 1, 'rest.this.a': 1 } },
      { cycle: 24, value: { 'this.c': 1, 'rest.this.b': 1, 'rest.rest.this.a': 1 } },
      { cycle: 34, value: { 'this.d': 1, 'rest.this.c': 1, 'rest.rest.this.b': 1 } },
      // the driving input repeats the last character
      { cycle: 44, value: { 'this.d': 1, 'rest.this.d': 1, 'rest.rest.this.c': 1 } },
    ]);
  });

  for (const k of [3, 8]) {
    it(`self-wave K = ${k}: the weight sits on Self.delta ← u1 until cycle 3, then moves on by one link per cycle with period ${k}`, () => {
      const p = problem(k === 3 ? 'self-wave' : 'self-wave-8');
      expect(needsInterpreter(teacherSpec(p))).toBe(true);
      const cycles = 3 + 3 * k;
      const t = targetTimeline(new TeacherTargets(taskOf(p)).get('wave', cycles), 0);
      const expected: { cycle: number; value: Record<string, number> }[] = [{ cycle: 1, value: { 'Self.delta.u1.out': 1 } }];
      for (let c = 4; c <= cycles; c++) expected.push({ cycle: c, value: { [`Self.delta.u${((c - 3) % k) + 1}.out`]: 1 } });
      expect(t).toEqual(expected);
    });
  }

  it('every teacher reproduces its own targets exactly on every string of its data', () => {
    for (const p of builtinProblems()) {
      const spec = teacherSpec(p);
      const task = taskOf(p);
      const strings = [...p.data.training, ...p.data.test];
      const r = runTestSuite(spec, strings, new TeacherTargets(task));
      expect(r.worst, p.name).toBe(0);
      expect(r.softLinks, p.name).toBe(teacherSoftLinks(p));
    }
  });

  it('the hand-crafted detector (a character circuit) runs unchanged on word tokens and is exact there', () => {
    const p = problem('word-duplicates');
    const r = runTestSuite(handcraftedDetector(), p.data.test, new TeacherTargets(taskOf(p)));
    expect(r.worst).toBe(0);
    expect(r.strings.length).toBe(p.data.test.length);
  });

  it("held-out strings: none is in its problem's data; each teacher, written as a matrix file and read back, is exact on them, a slightly wrong one is not", () => {
    for (const p of builtinProblems()) {
      const held = heldOutStrings(p.name);
      expect(held.length, p.name).toBeGreaterThan(0);
      const seen = new Set([...p.data.training, ...p.data.validation, ...p.data.test].map((s) => s.text));
      for (const s of held) expect(seen.has(s.text), `${p.name}: ${s.text}`).toBe(false);
      // the round trip a synthesized circuit takes: prototype matrix JSON, read in the problem's frame
      const file = parseVValueJson(new TextEncoder().encode(exportPrototypeMatrix(teacherSpec(p).trainable)), p.name);
      const read = p.name === 'duplicates' ? prototypeMatrixSpec(file) : prototypeMatrixSpec(file, frameOf(p), p.search.pushDepth);
      const targets = new TeacherTargets(taskOf(p));
      expect(runTestSuite(read, held, targets).worst, p.name).toBe(0);
      expect(
        runTestSuite(
          perturbed(p, (i) => (i === 0 ? 1.01 : 1)),
          held,
          targets,
        ).worst,
        p.name,
      ).toBeGreaterThan(1e-6);
    }
    // the character detector on word tokens it has never seen
    const words = problem('word-duplicates');
    expect(runTestSuite(handcraftedDetector(), heldOutStrings(words.name), new TeacherTargets(taskOf(words))).worst).toBe(0);
  }, 240_000); // the self-wave runs of several hundred cycles go through the interpreter

  it("each problem's default start builds in its frame and compiles (or interprets) with the teacher's ports", () => {
    for (const p of builtinProblems()) {
      const schedule = scheduleForProblem(p, {}, 1);
      const c = startCircuit(schedule.start, 1, p);
      const names = new Set(c.base.neurons.map((n) => n.name));
      for (const o of p.outputs) expect(names.has(o.neuron), `${p.name} keeps ${o.neuron}`).toBe(true);
      expect(c.links.length, p.name).toBeGreaterThan(teacherSoftLinks(p));
      const spec: MachineSpec = { ...c.base, trainable: linksToMatrix(c.links.map((l, i) => ({ ...l, weight: c.weights[i] as number }))) };
      const loss = circuitLoss(
        spec,
        taskOf(p),
        symbolsOf(
          p.data.training.map((s) => s.text),
          inputMode(p),
        ),
      );
      const first = p.data.training[0] as { text: string; cycles: number };
      expect(Number.isFinite(loss.fit(c.weights, first.text, first.cycles, 'exact').preregLoss), p.name).toBe(true);
    }
  });
});

/** The teacher of `p` with its soft weights scaled link by link (a nearby machine with a non-zero loss). */
function perturbed(p: Problem, f: (i: number) => number): MachineSpec {
  const spec = teacherSpec(p);
  return { ...spec, trainable: linksToMatrix(matrixLinks(spec.trainable).map((l, i) => ({ ...l, weight: l.weight * f(i) }))) };
}

describe('the tree loss and its exact gradient', () => {
  it('last-three (compiled engine): Σ over every path of the list tree; gradient = central differences', () => {
    const p = problem('last-three');
    const spec = perturbed(p, (i) => 0.9 + 0.05 * i);
    const text = 'abcab';
    const loss = new CompiledLoss(spec, taskOf(p), symbolsOf([text], 'characters'));
    const w = loss.paramVector(spec.trainable);
    const g = new Float64Array(w.length);
    const r = loss.fit(w, text, 60, 'exact', g);
    expect(r.preregLoss).toBeGreaterThan(0.1);
    // by hand: the loss is the sum over cycles and paths of (student − teacher)²
    const m = new CompiledMachine(spec, { alphabet: ['.', 'a', 'b', 'c'] });
    m.run(w, { inputString: text }, 60);
    const teacher = new TeacherTargets(taskOf(p)).get(text, 60).outputs[0];
    const o = m.inputOffset('output', 'dict-1');
    let byHand = 0;
    const seen = new Set<string>();
    for (let t = 1; t <= 60; t++) {
      const paths = new Map<string, readonly string[]>();
      for (const q of m.inputPaths('output', 'dict-1')) paths.set(q.join('.'), q);
      for (const q of teacher?.paths ?? []) paths.set(q.join('.'), q);
      for (const [key, q] of paths) {
        seen.add(key);
        const y = m.layout.indexOf(q) < 0 ? 0 : m.readInput(t, o, m.layout.indexOf(q));
        const i = (teacher?.paths ?? []).findIndex((x) => x.join('.') === key);
        const goal = i < 0 ? 0 : (teacher?.values[(t - 1) * (teacher.paths.length ?? 0) + i] as number);
        byHand += (y - goal) ** 2;
      }
    }
    expect(seen.has('rest.rest.this.a')).toBe(true);
    expectClose(r.preregLoss, byHand, 'tree loss by hand', 1e-12);
    for (let i = 0; i < w.length; i++) {
      expectClose(
        g[i] as number,
        centralDifference(() => loss.fit(w, text, 60, 'exact').preregLoss, w, i, 1e-6),
        `∂/∂w[${i}]`,
        1e-6,
        1e-8,
      );
    }
  });

  it('self-wave (interpreter, gradients through Self): gradient = central differences; the teacher has zero loss', () => {
    const p = problem('self-wave');
    const task = taskOf(p);
    const exact = new InterpretedLoss(teacherSpec(p), task);
    const cycles = 3 + 2 * 3;
    expect(exact.fit(exact.paramVector(teacherSpec(p).trainable), 'wave', cycles, 'exact').preregLoss).toBe(0);
    const spec = perturbed(p, (i) => 1 + 0.07 * Math.sin(i + 1));
    const loss = new InterpretedLoss(spec, task);
    const w = loss.paramVector(spec.trainable);
    const g = new Float64Array(w.length);
    const r = loss.fit(w, 'wave', cycles, 'exact', g);
    expect(r.preregLoss).toBeGreaterThan(1e-3);
    let nonzero = 0;
    for (let i = 0; i < w.length; i++) {
      const fd = centralDifference(() => loss.fit(w, 'wave', cycles, 'exact').preregLoss, w, i, 1e-6);
      expectClose(g[i] as number, fd, `∂/∂${JSON.stringify(loss.params[i])}`, 1e-6, 1e-8);
      if (Math.abs(fd) > 1e-4) nonzero++;
    }
    expect(nonzero).toBe(w.length);
  });
});

describe('bad problem definitions are refused naming the field', () => {
  const base = (): ProblemInput => JSON.parse(JSON.stringify(builtinProblemInputs()[4])) as ProblemInput; // last-three
  const refused = (mutate: (p: Record<string, any>) => void) => {
    const p = base() as unknown as Record<string, any>;
    mutate(p);
    try {
      validateProblem(p);
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  it('a teacher without outputs', () => {
    expect(refused((p) => (p['teacher'].neurons = p['teacher'].neurons.filter((n: { type: string }) => n.type !== 'output')))).toMatch(
      /teacher.neurons: the teacher has no output neuron/,
    );
    expect(refused((p) => (p['outputs'] = []))).toMatch(/outputs: at least one compared output/);
  });

  it('a compared port that does not exist', () => {
    expect(refused((p) => (p['outputs'][0].port = 'dict-3'))).toMatch(/outputs\.0\.port: output neuron "output" has no port "dict-3"/);
    expect(refused((p) => (p['outputs'][0].neuron = 'L'))).toMatch(/outputs\.0\.neuron: "L" is a push neuron/);
  });

  it('an empty string set', () => {
    expect(refused((p) => (p['data'].training = []))).toMatch(/data\.training: must contain at least one string/);
    expect(refused((p) => (p['data'].test = []))).toMatch(/data\.test: must contain at least one string/);
  });

  it('a push without a depth cap', () => {
    expect(refused((p) => delete p['teacher'].neurons.find((n: { type: string }) => n.type === 'push').params)).toMatch(
      /teacher\.neurons\.5\.params\.depth: push neuron "L": params\.depth is required/,
    );
    expect(refused((p) => delete p['search'].pushDepth)).toMatch(/search\.pushDepth: a generated push neuron needs a depth cap/);
  });

  it('a token input with an empty vocabulary, or data outside it', () => {
    expect(refused((p) => (p['input'] = { kind: 'tokens', vocabulary: [] }))).toMatch(
      /input\.vocabulary: a token input needs a vocabulary/,
    );
    expect(refused((p) => (p['input'] = { kind: 'tokens', vocabulary: ['abc'] }))).toMatch(
      /data\.training\.1\.text: token "abcd" not in input\.vocabulary/,
    );
  });

  it('links to ports or neurons that do not exist, unknown types, bad JSON shapes', () => {
    expect(refused((p) => (p['teacher'].links[3].toPort = 'nope'))).toMatch(/teacher\.links\.3\.toPort: .* has no input port "nope"/);
    expect(refused((p) => (p['teacher'].links[3].from = 'ghost'))).toMatch(/teacher\.links\.3\.from: no neuron named "ghost"/);
    expect(refused((p) => (p['teacher'].neurons[3].type = 'relay'))).toMatch(/teacher\.neurons\.3\.type: unknown neuron type "relay"/);
    expect(refused((p) => (p['teacher'].links[0].weight = 'x'))).toMatch(/teacher\.links\.0\.weight/);
    expect(refused((p) => (p['name'] = 'Not A Name'))).toMatch(/name: must be lower-case/);
    expect(refused((p) => (p['search'].schedule = { optimizer: { lr: -1 } }))).toMatch(/search\.schedule: optimizer\.lr: must be > 0/);
    expect(refused((p) => (p['extra'] = 1))).toMatch(/\(root\): Unrecognized key/);
  });
});
