/**
 * `problems list|show|export|import`: the problems a lab knows (see problem-source.ts for
 * where they come from). `import` reads the file strictly and validates it completely before
 * it opens the database: a malformed one is refused naming the path of the problem that is
 * wrong, and nothing is stored; it writes holding the database's writer lock, so it is refused
 * while a lab has the file open.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ApiError } from '../../../src-shared/api/dispatch';
import type { ProblemInfo } from '../../../src-shared/api/records';
import { outputLabel, ProblemError } from '../../../src-shared/problems/problem';
import { validateProblem } from '../../../src-shared/problems/validate';
import { defaultDbPath } from '../../lab/data-dir';
import { positiveInt, printJson, readJsonFile, UserError, withWriterLock, writeTextFile } from '../io';
import { openStoreFile, withProblems } from '../problem-source';

/** The line `problems list --json` prints for a problem. */
export function problemLine(p: ProblemInfo): Record<string, unknown> {
  return { name: p.id, version: p.version, outputs: p.outputs, teacherLinks: p.teacherLinks, description: p.description };
}

const outputsText = (p: ProblemInfo) => p.outputs.map((o) => `${outputLabel(o)} (${o.compare})`).join(', ');

export function registerProblems(program: Command): void {
  const problems = program
    .command('problems')
    .description('problems: teachers, data and search spaces (of the lab database --db FILE, or the built-ins)');

  problems
    .command('list')
    .description('one line per problem (its latest version)')
    .option('--db <file>', 'the lab database')
    .option('--json', 'one JSON object per problem')
    .action((o: { db?: string; json?: boolean }) => {
      withProblems(o.db, (s) => {
        const list = s.list();
        if (o.json) {
          for (const p of list) printJson(problemLine(p));
          return;
        }
        console.log(`problems of ${s.where}`);
        for (const p of list) {
          console.log(
            `${p.id.padEnd(18)} v${String(p.version).padEnd(3)} ${String(p.teacherLinks).padStart(3)} teacher links  ${outputsText(p)}`,
          );
        }
      });
    });

  problems
    .command('show')
    .description('a problem: what it compares, its teacher, its data')
    .argument('<name>', 'the problem')
    .option('--version <n>', 'a stored version (default: the latest)', positiveInt('--version'))
    .option('--db <file>', 'the lab database')
    .option('--json', 'one JSON object: the list line plus the whole definition')
    .action((name: string, o: { db?: string; version?: number; json?: boolean }) => {
      withProblems(o.db, (s) => {
        const { problem, info } = s.get(name, o.version);
        if (o.json) {
          printJson({ ...problemLine(info), input: info.input, problem });
          return;
        }
        console.log(`${info.id} v${info.version} — ${info.description}`);
        console.log(
          `input      ${problem.input.kind}${problem.input.kind === 'tokens' ? ` (${problem.input.vocabulary.length} tokens)` : ''}`,
        );
        console.log(`compared   ${outputsText(info)}`);
        console.log(
          `teacher    ${problem.teacher.neurons.length} neurons, ${info.teacherLinks} soft and ${problem.teacher.links.length - info.teacherLinks} hard links`,
        );
        for (const l of problem.teacher.links)
          console.log(`  ${l.soft ? 'soft' : 'hard'} ${l.to}.${l.toPort} ← ${l.from}.${l.fromPort}  ${l.weight}`);
        for (const [set, strings] of [
          ['training', problem.data.training],
          ['validation', problem.data.validation],
          ['test', problem.data.test],
        ] as const) {
          console.log(`${set.padEnd(10)} ${strings.map((x) => `${JSON.stringify(x.text)} (${x.cycles})`).join(', ')}`);
        }
      });
    });

  problems
    .command('export')
    .description('write a problem definition as JSON (what `problems import` reads)')
    .argument('<name>', 'the problem')
    .requiredOption('--out <file>', 'the JSON file to write')
    .option('--version <n>', 'a stored version (default: the latest)', positiveInt('--version'))
    .option('--db <file>', 'the lab database')
    .option('--json', 'print {"name","version","out"}')
    .action((name: string, o: { db?: string; version?: number; out: string; json?: boolean }) => {
      withProblems(o.db, (s) => {
        const { problem, version } = s.get(name, o.version);
        const out = writeTextFile(o.out, JSON.stringify(problem, null, 2) + '\n');
        if (o.json) printJson({ name, version, out });
        else console.log(`${name} v${version} → ${out}`);
      });
    });

  problems
    .command('import')
    .description(
      "store a problem definition (JSON) as the next version of the problem it names, or its first (default database: the lab's)",
    )
    .argument('<file>', 'the problem JSON')
    .option('--db <file>', 'the lab database (created if missing)')
    .option('--json', 'print the list line of the stored version')
    .action((file: string, o: { db?: string; json?: boolean }) => {
      // the whole definition is checked before the database is touched: a bad file creates, migrates
      // and locks nothing
      const data = readJsonFile(file, 'problem file');
      try {
        validateProblem(data);
      } catch (e) {
        if (e instanceof ProblemError) throw new UserError(`${file}: ${e.message}`);
        throw e;
      }
      const db = resolve(o.db ?? defaultDbPath());
      mkdirSync(dirname(db), { recursive: true });
      // one writer per database: refused while a lab (or another writing command) has it open
      withWriterLock(db, 'problems import', () => {
        const store = openStoreFile(db, true);
        try {
          const info = store.saveProblem(data);
          if (o.json) printJson(problemLine(info));
          else console.log(`${info.id} v${info.version} stored in ${db}`);
        } catch (e) {
          if (e instanceof ApiError) throw new UserError(`${file}: ${e.message}`);
          throw e;
        } finally {
          store.close();
        }
      });
    });
}
