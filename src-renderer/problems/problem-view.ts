/**
 * What the Problems screen and the "Use as teacher" dialog show of a problem, free of
 * Svelte: its teacher drawn as SVG (the editor's writer, at the teacher's positions or a
 * layered placement), and its targets on a string as chart series (a scalar output one
 * series; a tree output one series per path, the busiest first).
 */
import { documentFromSpec, type Position } from '@shared/editor/document';
import { teacherSpec, type Problem } from '@shared/problems/problem';
import { taskOf, TeacherTargets, type Targets } from '@shared/problems/targets';
import { documentToSvg } from '../editor/svg-export';

/** The teacher as standalone SVG markup (text escaped by the writer). */
export function teacherSvg(problem: Problem): string {
  const positions: Record<string, Position> = {};
  for (const n of problem.teacher.neurons) if (n.position) positions[n.name] = n.position;
  return documentToSvg(documentFromSpec(teacherSpec(problem), positions), { title: `teacher of ${problem.name}` });
}

export interface TargetSeries {
  /** e.g. "output.dict-1" or "output.dict-1/rest.this.a". */
  readonly label: string;
  readonly values: Float64Array;
}

export interface TargetChart {
  readonly title: string;
  readonly cycles: number;
  readonly series: readonly TargetSeries[];
  /** Paths of a tree output not drawn (only the `max` busiest are). */
  readonly hidden: number;
}

/** The teacher's targets on `text` over `cycles` cycles, one chart per compared output (a tree: at most `max` paths). */
export function targetCharts(problem: Problem, text: string, cycles: number, max = 8, targets?: TeacherTargets): TargetChart[] {
  const t: Targets = (targets ?? new TeacherTargets(taskOf(problem))).get(text, cycles);
  return problem.outputs.map((o, j) => {
    const out = t.outputs[j];
    const name = `${o.neuron}.${o.port}${o.under.length ? '/' + o.under.join('/') : ''}`;
    if (!out) return { title: name, cycles, series: [], hidden: 0 };
    const n = out.paths.length;
    const columns = out.paths.map((p, i) => {
      const values = new Float64Array(cycles);
      let activity = 0;
      for (let c = 0; c < cycles; c++) {
        const v = out.values[c * n + i] as number;
        values[c] = v;
        activity += Math.abs(v);
      }
      return { label: out.scalar ? name : `${p.join('.') || '(root)'}`, values, activity };
    });
    const shown = out.scalar ? columns : columns.filter((c) => c.activity > 0).sort((a, b) => b.activity - a.activity);
    return {
      title: out.scalar ? name : `${name} (a tree: one line per path)`,
      cycles,
      series: shown.slice(0, max).map(({ label, values }) => ({ label, values })),
      hidden: Math.max(0, shown.length - max),
    };
  });
}
