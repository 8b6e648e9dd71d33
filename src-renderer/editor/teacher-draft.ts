/**
 * "Use as teacher…": the editor's document made into a problem definition. The person
 * names it, picks the compared outputs (the input ports of the document's output neurons,
 * each as a scalar or a tree) and types the strings (one per line, `text | cycles` to give
 * a window); the search space is derived from the document (its interneuron types, the
 * outputs of its inputs and constants as sources, a recurrent start when its interneurons
 * feed each other) and the schedule asks for the teacher's size. Free of Svelte: the
 * dialog shows what `checkDraft` says.
 */
import type { EditorDocument } from '@shared/editor/document';
import { INPUT_PERIOD, LAYER_TYPES, NEURON_TYPES, drivingSymbols, type InputMode } from '@shared/machine/neuron-types';
import { teacherSizedSchedule } from '@shared/problems/builtin/build';
import { PROBLEM_FORMAT, ProblemError, type Problem, type ProblemInput } from '@shared/problems/problem';
import { validateProblem } from '@shared/problems/validate';

export interface OutputChoice {
  readonly neuron: string;
  readonly port: string;
  readonly on: boolean;
  readonly compare: 'scalar' | 'tree';
}

export interface TeacherDraft {
  readonly name: string;
  readonly description: string;
  readonly input: InputMode;
  readonly outputs: readonly OutputChoice[];
  /** One string per line; `text | cycles` gives its window (default: one period per symbol + 10). */
  readonly training: string;
  readonly validation: string;
  readonly test: string;
}

/** Every input port of the document's output neurons, the first two on, as scalars. */
export function outputChoices(doc: EditorDocument): OutputChoice[] {
  const out: OutputChoice[] = [];
  for (const n of doc.neurons) {
    if (n.type !== 'output') continue;
    for (const port of NEURON_TYPES.get('output')?.inputs ?? []) out.push({ neuron: n.name, port, on: true, compare: 'scalar' });
  }
  return out;
}

/** A fresh draft for a document: the outputs it has, the duplicate detector's kind of strings. */
export function initialDraft(doc: EditorDocument, name = ''): TeacherDraft {
  return {
    name,
    description: '',
    input: 'characters',
    outputs: outputChoices(doc),
    training: 'abca.\nhello.\nb.b..b',
    validation: 'kayak.',
    test: 'mississippi.\nthe quick brown fox.',
  };
}

/** The strings of a text area: one per non-empty line, `text | cycles` with an explicit window. */
export function parseStrings(
  text: string,
  mode: InputMode,
  field: string,
): { strings: { text: string; cycles: number }[]; issues: string[] } {
  const strings: { text: string; cycles: number }[] = [];
  const issues: string[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const bar = raw.lastIndexOf(' | ');
    let body = raw;
    let cycles: number | undefined;
    if (bar >= 0 && /^\s*\d+\s*$/.test(raw.slice(bar + 3))) {
      body = raw.slice(0, bar);
      cycles = Number(raw.slice(bar + 3));
    }
    const symbols = drivingSymbols(body, mode).length;
    if (symbols === 0) {
      issues.push(`${field}, line ${i + 1}: holds no ${mode === 'tokens' ? 'token' : 'character'}`);
      return;
    }
    strings.push({ text: body, cycles: cycles ?? INPUT_PERIOD * symbols + 10 });
  });
  return { strings, issues };
}

/** True when the document's interneurons feed each other in a loop (self-links aside). */
function hasInterneuronLoop(doc: EditorDocument): boolean {
  const inter = new Set(doc.neurons.filter((n) => NEURON_TYPES.get(n.type)?.interneuron).map((n) => n.name));
  const next = new Map<string, string[]>();
  for (const l of doc.links) {
    if (l.from === l.to || !inter.has(l.from) || !inter.has(l.to)) continue;
    next.set(l.from, [...(next.get(l.from) ?? []), l.to]);
  }
  const state = new Map<string, 1 | 2>();
  const visit = (n: string): boolean => {
    if (state.get(n) === 1) return true;
    if (state.get(n) === 2) return false;
    state.set(n, 1);
    for (const m of next.get(n) ?? []) if (visit(m)) return true;
    state.set(n, 2);
    return false;
  };
  return [...inter].some((n) => visit(n));
}

/** The problem definition (JSON) the draft describes, with the search space derived from the document. */
export function problemFromDocument(doc: EditorDocument, draft: TeacherDraft): { definition: ProblemInput; issues: string[] } {
  const issues: string[] = [];
  const parsed = (['training', 'validation', 'test'] as const).map((f) => parseStrings(draft[f], draft.input, f));
  for (const p of parsed) issues.push(...p.issues);
  const [training, validation, test] = parsed.map((p) => p.strings) as [
    { text: string; cycles: number }[],
    { text: string; cycles: number }[],
    { text: string; cycles: number }[],
  ];
  const present = new Set(doc.neurons.map((n) => n.type));
  const types = LAYER_TYPES.filter((t) => present.has(t));
  const interneurons = doc.neurons.filter((n) => NEURON_TYPES.get(n.type)?.interneuron).length;
  const sources: [string, string][] = [];
  for (const n of doc.neurons) {
    const t = NEURON_TYPES.get(n.type);
    if (!t || t.interneuron || ['timer', 'output', 'Self'].includes(n.type)) continue;
    for (const port of t.outputs) sources.push([n.name, port]);
  }
  const depths = doc.neurons.filter((n) => n.type === 'push').map((n) => (n.params as { depth?: unknown } | undefined)?.depth);
  const pushDepth = depths.reduce<number | undefined>((m, d) => (typeof d === 'number' ? Math.max(m ?? 0, d) : m), undefined);
  const softLinks = doc.links.filter((l) => l.soft).length;
  const vocabulary = [...new Set([...training, ...validation, ...test].flatMap((s) => drivingSymbols(s.text, 'tokens')))].concat('.');
  const definition: ProblemInput = {
    format: PROBLEM_FORMAT,
    name: draft.name.trim(),
    description: draft.description.trim(),
    teacher: {
      neurons: doc.neurons.map((n) => ({
        name: n.name,
        type: n.type,
        ...(n.params !== undefined ? { params: n.params } : {}),
        position: { x: n.position.x, y: n.position.y },
      })),
      links: doc.links.map((l) => ({ to: l.to, toPort: l.toPort, from: l.from, fromPort: l.fromPort, weight: l.weight, soft: l.soft })),
    },
    input: draft.input === 'tokens' ? { kind: 'tokens', vocabulary: [...new Set(vocabulary)] } : { kind: 'characters' },
    outputs: draft.outputs.filter((o) => o.on).map((o) => ({ neuron: o.neuron, port: o.port, compare: o.compare })),
    data: { training, validation, test, ...(training[0] ? { reference: training[0] } : {}) },
    search: {
      types: types.length > 0 ? types : ['accum', 'norm', 'compare', 'dot'],
      sources,
      layers: Math.min(5, Math.max(1, interneurons)),
      copies: 1,
      skip: true,
      ...(hasInterneuronLoop(doc) ? { recurrent: true } : {}),
      scale: 0.1,
      ...(pushDepth !== undefined ? { pushDepth } : {}),
      schedule: teacherSizedSchedule(softLinks),
    },
  };
  return { definition, issues };
}

/** The draft checked completely: the problem when it is valid, else every issue (each naming its field). */
export function checkDraft(doc: EditorDocument, draft: TeacherDraft): { problem?: Problem; definition: ProblemInput; issues: string[] } {
  const { definition, issues } = problemFromDocument(doc, draft);
  if (issues.length > 0) return { definition, issues };
  try {
    return { problem: validateProblem(definition), definition, issues: [] };
  } catch (e) {
    return { definition, issues: e instanceof ProblemError ? [...e.issues] : [e instanceof Error ? e.message : String(e)] };
  }
}
