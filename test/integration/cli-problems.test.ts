/**
 * The problem commands through the real CLI (child processes): `problems list|show|export|
 * import` with and without a lab database, a malformed import refused naming the path with
 * nothing stored, `test --problem` on the problem's suite and on given strings (a
 * character circuit tested unchanged on word tokens), `eval --problem`, and a short
 * `synth --problem … --db` that records the problem version it used.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLabLock } from '../../src-main/lab/lab-lock';
import { exportPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { builtinProblem } from '../../src-shared/problems/builtin/index';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { teacherSpec } from '../../src-shared/problems/problem';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-cli-problems-');
afterAll(() => tmp.cleanup());
const path = (name: string) => join(tmp.dir, name);
const write = (name: string, text: string) => {
  writeFileSync(path(name), text);
  return path(name);
};

describe('problems list|show|export|import', () => {
  const db = path('lab.sqlite');

  it('list --json: one line per problem with name, version, outputs, teacherLinks, description', () => {
    const r = runCli(['problems', 'list', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.lines();
    expect(lines.map((l) => l['name'])).toEqual([
      'duplicates',
      'word-duplicates',
      'bracket-count',
      'adjacent-repeat',
      'last-three',
      'self-wave',
      'self-wave-8',
    ]);
    for (const l of lines) expect(Object.keys(l)).toEqual(['name', 'version', 'outputs', 'teacherLinks', 'description']);
    expect(lines.find((l) => l['name'] === 'last-three')).toMatchObject({
      version: 1,
      teacherLinks: 5,
      outputs: [{ neuron: 'output', port: 'dict-1', compare: 'tree', under: [] }],
    });
  });

  it('show --json gives the whole definition; export writes it; import of a changed copy is the next version', () => {
    const show = runCli(['problems', 'show', 'bracket-count', '--json']);
    expect(show.status, show.stderr).toBe(0);
    const shown = show.lines()[0] as { name: string; input: string; problem: { teacher: { neurons: unknown[] } } };
    expect(shown.name).toBe('bracket-count');
    expect(shown.problem.teacher.neurons).toHaveLength(9);

    const out = path('bracket.json');
    const ex = runCli(['problems', 'export', 'bracket-count', '--out', out, '--json']);
    expect(ex.status, ex.stderr).toBe(0);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
    expect(exported).toEqual(shown.problem);

    // the same definition into a database that has it: still version 1
    const same = runCli(['problems', 'import', out, '--db', db, '--json']);
    expect(same.status, same.stderr).toBe(0);
    expect(same.lines()[0]).toMatchObject({ name: 'bracket-count', version: 1 });

    exported['data'].test.push({ text: '((q))', cycles: 60 });
    const changed = write('bracket-2.json', JSON.stringify(exported));
    const imp = runCli(['problems', 'import', changed, '--db', db, '--json']);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.lines()[0]).toMatchObject({ name: 'bracket-count', version: 2, teacherLinks: 9 });
    const list = runCli(['problems', 'list', '--db', db, '--json']).lines();
    expect(list.find((l) => l['name'] === 'bracket-count')?.['version']).toBe(2);
    const v1 = runCli(['problems', 'show', 'bracket-count', '--db', db, '--version', '1', '--json']).lines()[0] as {
      version: number;
      problem: { data: { test: unknown[] } };
    };
    expect(v1.version).toBe(1);
    expect(v1.problem.data.test).toHaveLength(exported['data'].test.length - 1);
  });

  it('a malformed file is refused naming the path of the problem, and nothing is stored', () => {
    const good = JSON.parse(readFileSync(path('bracket.json'), 'utf8')) as Record<string, any>;
    const count = () => {
      const d = new Database(db, { readonly: true });
      try {
        return d.prepare('SELECT count(*) FROM problem_versions').pluck().get() as number;
      } finally {
        d.close();
      }
    };
    const before = count();
    const bad = { ...good, name: 'bad-brackets', outputs: [{ neuron: 'output', port: 'dict-9', compare: 'scalar' }] };
    const r = runCli(['problems', 'import', write('bad.json', JSON.stringify(bad)), '--db', db]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.json: invalid problem: outputs\.0\.port: output neuron "output" has no port "dict-9"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const notJson = runCli(['problems', 'import', write('broken.json', '{"name": '), '--db', db]);
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/broken\.json is not valid JSON/);
    expect(count()).toBe(before);
    const unknown = runCli(['problems', 'show', 'bad-brackets', '--db', db]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/problem "bad-brackets" does not exist/);
    expect(runCli(['problems', 'show', 'nothing-like-it']).stderr).toMatch(/is not built in/);
  });

  it('import takes the writer lock: refused while another writer holds the file, stored once it is released', () => {
    const file = path('locked.sqlite');
    const release = acquireLabLock(file, { holder: 'the lab' });
    try {
      const r = runCli(['problems', 'import', path('bracket.json'), '--db', file, '--json']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`in use by another DMM Lab \\(process ${process.pid}, the lab\\)`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      release();
    }
    const r = runCli(['problems', 'import', path('bracket.json'), '--db', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines()[0]).toMatchObject({ name: 'bracket-count', version: 1 });
  });

  it('a malformed file touches no database: none is created', () => {
    const file = path('never.sqlite');
    const r = runCli(['problems', 'import', write('dup.json', '{"name": "a", "name": "b"}'), '--db', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/dup\.json/);
    expect(existsSync(file)).toBe(false);
  });
});

describe('test, eval and synth with --problem', () => {
  const handcrafted = write('handcrafted.json', exportPrototypeMatrix(handcraftedDetector().trainable));

  it('test: the character detector runs unchanged on word tokens and is exact on the word suite', () => {
    const r = runCli(['test', '--problem', 'word-duplicates', '--matrix', handcrafted, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = r.lines()[0] as { softLinks: number; testLoss: number; testWorst: number; strings: { text: string }[] };
    expect(Object.keys(out).sort()).toEqual(['softLinks', 'strings', 'testLoss', 'testWorst']);
    expect(out.softLinks).toBe(8);
    expect(out.testWorst).toBe(0);
    expect(out.strings.map((s) => s.text)).toContain('the cat saw the dog . the dog ran .');
  });

  it('test --string … --cycles …: the given strings replace the suite', () => {
    const lt = builtinProblem('last-three');
    if (!lt) throw new Error('no last-three');
    const teacher = write('last-three.json', exportPrototypeMatrix(teacherSpec(lt).trainable));
    const r = runCli([
      'test',
      '--problem',
      'last-three',
      '--matrix',
      teacher,
      '--string',
      'zyxwvu',
      '--cycles',
      '90',
      '--string',
      'ab',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = r.lines()[0] as { softLinks: number; testWorst: number; strings: { text: string; cycles: number }[] };
    expect(out.strings.map((s) => [s.text, s.cycles])).toEqual([
      ['zyxwvu', 90],
      ['ab', 30],
    ]);
    expect([out.softLinks, out.testWorst]).toEqual([5, 0]);
    // the duplicate detector's neurons are not in the last-three frame: refused, naming one
    const wrong = runCli(['test', '--problem', 'last-three', '--matrix', handcrafted, '--string', 'abc', '--json']);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/is not a matrix of problem last-three: .*"accum" is neither a neuron of the problem's teacher/);
    expect(runCli(['test', '--problem', 'last-three', '--matrix', teacher, '--cycles', '5']).stderr).toMatch(/1 --cycles for 0 --string/);
  });

  it('eval --problem: the reference string by default, the teacher at zero loss', () => {
    const bc = builtinProblem('bracket-count');
    if (!bc) throw new Error('no bracket-count');
    const teacher = write('bracket-teacher.json', exportPrototypeMatrix(teacherSpec(bc).trainable));
    const r = runCli(['eval', '--problem', 'bracket-count', '--matrix', teacher, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines()[0]).toMatchObject({ preregLoss: 0, softLinks: 9 });
    const other = runCli(['eval', '--problem', 'bracket-count', '--matrix', handcrafted, '--json']);
    expect(other.status).toBe(1); // the detector's neurons are not the bracket counter's
    expect(other.stderr).toMatch(
      /is not a matrix of problem bracket-count: .*"accum" is neither a neuron of the problem's teacher \(timer, input, B, output, A, D, M, G, N\)/,
    );
  });

  it('synth --problem … --db records the problem and its version; the summary names the problem', () => {
    const db = path('synth.sqlite');
    const schedule = write(
      'short.json',
      JSON.stringify({
        dense: { steps: 40, until: 0 },
        stop: { stepBudget: 120, targetLinks: 5 },
        polish: { steps: 10 },
        regrow: { max: 0 },
        restarts: { max: 0 },
      }),
    );
    const r = runCli(['synth', '--problem', 'last-three', '--schedule', schedule, '--db', db, '--seed', '2', '--json'], 300_000);
    expect(r.status, r.stderr).toBe(0);
    const summary = r.lines()[0] as { problem: string; runId: number; softLinks: number; testWorst: number };
    expect(summary.problem).toBe('last-three');
    expect(Number.isFinite(summary.testWorst)).toBe(true);
    const runs = runCli(['runs', 'list', '--db', db, '--json']).lines();
    expect(runs[0]).toMatchObject({ id: summary.runId, problem: 'last-three', problemVersion: 1, status: 'completed' });
    const bad = runCli(['synth', '--problem', 'nope', '--json']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/problem "nope" is not built in/);
  }, 300_000);
});
