/**
 * A problem as data: what a synthesized circuit must do and how a run searches for it.
 *
 * - `teacher`: a hand-crafted machine (any registry neurons, fixed and soft links, `Self`
 *   allowed); its outputs define the targets, which are always computed by running it.
 * - `input`: the driving input, characters or word tokens (with their vocabulary).
 * - `outputs`: which input ports of the teacher's `output` neuron are compared, each as its
 *   root scalar or as a whole V-value tree (Σ over every path of the squared difference),
 *   optionally only the part under a path.
 * - `data`: training strings, validation strings (the run may judge itself on them) and the
 *   held-out test suite, each string with its cycle window.
 * - `search`: the interneuron types a generated start may use, the initial layer it links
 *   from, and defaults for the start and for the schedule.
 *
 * The zod schema is the one definition of the JSON form; `parseProblem` adds the checks a
 * schema cannot express (ports that exist, a teacher that runs) and names the offending
 * field in every message.
 */
import { z } from 'zod';
import { LAYER_TYPES, NEURON_TYPES, SELF_TYPE, drivingSymbols, neuronProblem, type InputMode } from '../machine/neuron-types';
import { linksToMatrix, type MachineSpec, type NeuronSpec, type WeightedLink } from '../machine/spec';
import { DataStringSchema } from '../synthesis/schedule';
import { parseVValue, VValueError } from '../vvalue/parse';
import type { Path, VValue } from '../vvalue/vvalue';

export const PROBLEM_FORMAT = 'dmm-lab-problem';

const name = z
  .string()
  .min(1, 'must not be empty')
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, starting with a letter or digit');

const label = z.string().min(1, 'must not be empty');
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const TeacherNeuronSchema = z.strictObject({
  name: label,
  type: label,
  /** Parameters of the instance: a V-value (const: the value it emits; push: {"depth": K}). */
  params: z.record(z.string(), z.unknown()).optional(),
  /** Where the neuron is drawn (editor coordinates); optional. */
  position: z.strictObject({ x: finite, y: finite }).optional(),
});

export const TeacherLinkSchema = z.strictObject({
  to: label,
  toPort: label,
  from: label,
  fromPort: label,
  weight: finite,
  /** Soft links are what a synthesized circuit is measured against; hard links are fixed wiring. */
  soft: z.boolean(),
});

export const TeacherSchema = z.strictObject({
  neurons: z.array(TeacherNeuronSchema).min(1, 'the teacher needs neurons'),
  links: z.array(TeacherLinkSchema),
});

export const InputSchema = z.discriminatedUnion('kind', [
  /** One character every 10 cycles (spec §4). */
  z.strictObject({ kind: z.literal('characters') }),
  /** One word token every 10 cycles ("." a token of its own); every token of the data must be in the vocabulary. */
  z.strictObject({ kind: z.literal('tokens'), vocabulary: z.array(label).min(1, 'a token input needs a vocabulary (at least one token)') }),
]);

export const ComparedOutputSchema = z.strictObject({
  /** The sink neuron whose input port is read (type `output`). */
  neuron: label.default('output'),
  port: label,
  /** `scalar`: the number at `under` (the root by default); `tree`: every path under `under`. */
  compare: z.enum(['scalar', 'tree']),
  under: z.array(label).default([]),
});

export const ProblemDataSchema = z.strictObject({
  training: z.array(DataStringSchema).min(1, 'must contain at least one string'),
  validation: z.array(DataStringSchema).min(1, 'must contain at least one string'),
  test: z.array(DataStringSchema).min(1, 'must contain at least one string'),
  /** The string `eval` uses when none is given (default: the first training string). */
  reference: DataStringSchema.optional(),
});

export const SearchSchema = z.strictObject({
  /** Interneuron types a generated start may place in its layers. */
  types: z
    .array(z.enum(LAYER_TYPES as [string, ...string[]]))
    .min(1, 'a generated start needs at least one interneuron type')
    .refine((t) => new Set(t).size === t.length, 'types must not repeat'),
  /** Output ports of the teacher's non-interneurons that layers may read (the initial layer), in order. */
  sources: z.array(z.tuple([label, label])).min(1, 'a generated start needs at least one source port'),
  layers: z.number().int().min(1).max(64),
  copies: z.number().int().min(1).max(64),
  skip: z.boolean(),
  /** Initial weights scale·N(0,1). */
  scale: z.number().min(0).refine(Number.isFinite, 'must be a finite number'),
  /** The depth cap of generated push neurons (needed when `types` includes push). */
  pushDepth: z.number().int().min(0).max(32).optional(),
  /** Link every layer to every layer (itself included), not only to earlier ones: a recurrent start. */
  recurrent: z.boolean().optional(),
  /** Schedule fields that differ from the default schedule for this problem (merged over it). */
  schedule: z.record(z.string(), z.unknown()).default({}),
});

export const ProblemSchema = z.strictObject({
  format: z.literal(PROBLEM_FORMAT).default(PROBLEM_FORMAT),
  name,
  description: z.string().max(4000).default(''),
  teacher: TeacherSchema,
  input: InputSchema,
  outputs: z.array(ComparedOutputSchema).min(1, 'at least one compared output (the teacher has no outputs to compare)'),
  data: ProblemDataSchema,
  search: SearchSchema,
});

export type Problem = z.infer<typeof ProblemSchema>;
export type ProblemInput = z.input<typeof ProblemSchema>;
export type ComparedOutput = z.infer<typeof ComparedOutputSchema>;
export type TeacherNeuron = z.infer<typeof TeacherNeuronSchema>;
export type TeacherLink = z.infer<typeof TeacherLinkSchema>;
export type ProblemData = z.infer<typeof ProblemDataSchema>;

export class ProblemError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid problem: ${issues.join('; ')}`);
    this.name = 'ProblemError';
  }
}

const at = (path: readonly (string | number | symbol)[]) => (path.length ? path.map(String).join('.') : '(root)');

/** The input mode of a problem's driving input. */
export function inputMode(p: Pick<Problem, 'input'>): InputMode {
  return p.input.kind;
}

/** The symbols (characters or tokens) every string of `texts` makes the input neuron emit, plus "." (sorted). */
export function symbolsOf(texts: Iterable<string>, mode: InputMode): string[] {
  const set = new Set<string>(['.']);
  for (const t of texts) for (const c of drivingSymbols(t, mode)) set.add(c);
  return [...set].sort();
}

/** Every string of a problem's data. */
export function allStrings(data: ProblemData): { text: string; cycles: number }[] {
  return [...data.training, ...data.validation, ...data.test, ...(data.reference ? [data.reference] : [])];
}

/** The string `eval` and previews use: the data's reference string, else the first training string. */
export function referenceString(data: ProblemData): { text: string; cycles: number } {
  const first = data.reference ?? data.training[0];
  if (!first) throw new RangeError('the problem has no training string');
  return first;
}

/** The teacher as a machine (neurons in their order; fixed and trainable matrices). */
export function teacherSpec(p: Pick<Problem, 'teacher'>): MachineSpec {
  const neurons: NeuronSpec[] = p.teacher.neurons.map((n) =>
    n.params === undefined ? { name: n.name, type: n.type } : { name: n.name, type: n.type, params: n.params as VValue },
  );
  const link = (l: TeacherLink): WeightedLink => ({ to: l.to, toPort: l.toPort, from: l.from, fromPort: l.fromPort, weight: l.weight });
  return {
    neurons,
    fixed: linksToMatrix(p.teacher.links.filter((l) => !l.soft).map(link)),
    trainable: linksToMatrix(p.teacher.links.filter((l) => l.soft).map(link)),
  };
}

/** Number of the teacher's soft links: the size a synthesized circuit is measured against. */
export function teacherSoftLinks(p: Pick<Problem, 'teacher'>): number {
  return p.teacher.links.filter((l) => l.soft).length;
}

/** "output.dict-1", or "output.dict-1/Self/delta" for a part of it. */
export function outputLabel(o: Pick<ComparedOutput, 'neuron' | 'port' | 'under'>): string {
  return `${o.neuron}.${o.port}${o.under.length ? '/' + o.under.join('/') : ''}`;
}

/** Checks of a schema-valid problem that need the registry and the teacher's structure. */
function semanticIssues(p: Problem): string[] {
  const issues: string[] = [];
  const types = new Map<string, string>();
  p.teacher.neurons.forEach((n, i) => {
    if (types.has(n.name)) issues.push(`teacher.neurons.${i}.name: duplicate neuron name "${n.name}"`);
    if (!NEURON_TYPES.has(n.type)) {
      issues.push(`teacher.neurons.${i}.type: unknown neuron type "${n.type}" (known: ${[...NEURON_TYPES.keys()].join(', ')})`);
      return;
    }
    if (n.params !== undefined) {
      try {
        parseVValue(n.params, []);
      } catch (e) {
        issues.push(`teacher.neurons.${i}.params: ${e instanceof VValueError ? e.message : String(e)}`);
        return;
      }
    }
    const problem = neuronProblem({ name: n.name, type: n.type, params: n.params as VValue | undefined });
    if (problem) {
      const field = /params\.depth/.test(problem) ? 'params.depth' : 'params';
      issues.push(`teacher.neurons.${i}.${field}: ${problem}`);
    }
    types.set(n.name, n.type);
  });
  if ([...types.values()].filter((t) => t === SELF_TYPE).length > 1) issues.push(`teacher.neurons: at most one ${SELF_TYPE} neuron`);
  const typeOf = (n: string) => types.get(n);
  p.teacher.links.forEach((l, i) => {
    const to = typeOf(l.to);
    const from = typeOf(l.from);
    if (to === undefined) issues.push(`teacher.links.${i}.to: no neuron named "${l.to}"`);
    else if (!NEURON_TYPES.get(to)?.inputs.includes(l.toPort)) {
      issues.push(`teacher.links.${i}.toPort: ${to} neuron "${l.to}" has no input port "${l.toPort}"`);
    }
    if (from === undefined) issues.push(`teacher.links.${i}.from: no neuron named "${l.from}"`);
    else if (!NEURON_TYPES.get(from)?.outputs.includes(l.fromPort)) {
      issues.push(`teacher.links.${i}.fromPort: ${from} neuron "${l.from}" has no output port "${l.fromPort}"`);
    }
  });
  const seen = new Set<string>();
  p.teacher.links.forEach((l, i) => {
    const key = JSON.stringify([l.to, l.toPort, l.from, l.fromPort]);
    if (seen.has(key)) issues.push(`teacher.links.${i}: the link ${l.to}.${l.toPort} ← ${l.from}.${l.fromPort} appears twice`);
    seen.add(key);
  });
  if (![...types.values()].includes('output')) {
    issues.push('teacher.neurons: the teacher has no output neuron (a neuron of type "output" whose inputs are compared)');
  }
  p.outputs.forEach((o, i) => {
    const t = typeOf(o.neuron);
    if (t === undefined) issues.push(`outputs.${i}.neuron: the teacher has no neuron named "${o.neuron}"`);
    else if (t !== 'output')
      issues.push(`outputs.${i}.neuron: "${o.neuron}" is a ${t} neuron; compared outputs are ports of an output neuron`);
    else if (!NEURON_TYPES.get(t)?.inputs.includes(o.port)) {
      issues.push(
        `outputs.${i}.port: output neuron "${o.neuron}" has no port "${o.port}" (its ports: ${NEURON_TYPES.get(t)?.inputs.join(', ')})`,
      );
    }
  });
  const outKeys = p.outputs.map((o) => outputLabel(o));
  if (new Set(outKeys).size !== outKeys.length) issues.push('outputs: a compared output appears twice');
  // the driving input: every symbol of the data must be one the vocabulary allows
  const mode = inputMode(p);
  for (const [set, strings] of Object.entries(p.data)) {
    const list = Array.isArray(strings) ? strings : strings ? [strings] : [];
    list.forEach((s, i) => {
      const where = Array.isArray(strings) ? `data.${set}.${i}.text` : `data.${set}.text`;
      const symbols = drivingSymbols(s.text, mode);
      if (symbols.length === 0) issues.push(`${where}: holds no ${mode === 'tokens' ? 'token' : 'character'}`);
      if (p.input.kind === 'tokens') {
        const vocabulary = new Set(p.input.vocabulary);
        const unknown = [...new Set(symbols)].filter((x) => !vocabulary.has(x));
        if (unknown.length)
          issues.push(
            `${where}: token${unknown.length > 1 ? 's' : ''} ${unknown.map((x) => JSON.stringify(x)).join(', ')} not in input.vocabulary`,
          );
      }
    });
  }
  // the search space
  p.search.sources.forEach(([neuron, port], i) => {
    const t = typeOf(neuron);
    if (t === undefined) issues.push(`search.sources.${i}: the teacher has no neuron named "${neuron}"`);
    else if (NEURON_TYPES.get(t)?.interneuron)
      issues.push(`search.sources.${i}: "${neuron}" is an interneuron; sources are the teacher's inputs and constants`);
    else if (!NEURON_TYPES.get(t)?.outputs.includes(port))
      issues.push(`search.sources.${i}: ${t} neuron "${neuron}" has no output port "${port}"`);
  });
  if (p.search.types.includes('push') && p.search.pushDepth === undefined) {
    issues.push('search.pushDepth: a generated push neuron needs a depth cap K (search.types includes push)');
  }
  return issues;
}

/**
 * Validates a problem (e.g. read from a file), naming each offending field. `check` may add
 * issues of a valid-looking problem (e.g. a teacher the engines cannot run), so that it is
 * refused here rather than when a run starts.
 */
export function parseProblem(data: unknown, check?: (p: Problem) => string[]): Problem {
  const r = ProblemSchema.safeParse(data);
  if (!r.success) throw new ProblemError(r.error.issues.map((i) => `${at(i.path)}: ${i.message}`));
  const issues = semanticIssues(r.data);
  if (issues.length === 0 && check) issues.push(...check(r.data));
  if (issues.length) throw new ProblemError(issues);
  return r.data;
}

/** The paths a compared output's `under` selects: those starting with it. */
export function isUnder(path: Path, under: readonly string[]): boolean {
  if (path.length < under.length) return false;
  for (let i = 0; i < under.length; i++) if (path[i] !== under[i]) return false;
  return true;
}
