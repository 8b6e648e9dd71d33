/**
 * The New-run form's logic, free of Svelte and the DOM so it can be unit-tested: reading
 * and writing schedule fields by dotted path, parsing what a person types, validating a
 * draft against the one schedule schema (issues mapped to the fields that show them), and
 * building the request that starts the run — validated exactly as the server will see it.
 */
import type { z } from 'zod';
import { prototypeMatrixSpec } from '@shared/io/prototype-matrix';
import type { Problem } from '@shared/problems/problem';
import { frameOf } from '@shared/problems/problem-frame';
import { defaultSchedule, mergeOverrides, ScheduleSchema, type Schedule } from '@shared/synthesis/schedule';
import { startCircuit } from '@shared/synthesis/start';

export type JsonObject = Record<string, unknown>;

/** A schedule field's dotted path, e.g. `optimizer.lr` or `training.strings.0.cycles`. */
export type FieldPath = string;

/** Errors not attached to any field of the form (shown beside the JSON editor). */
export const GENERAL = 'schedule';

export const isObject = (x: unknown): x is JsonObject => typeof x === 'object' && x !== null && !Array.isArray(x);

const segments = (path: FieldPath): string[] => (path === '' ? [] : path.split('.'));

/** The value at a dotted path (numeric segments index arrays), or undefined. */
export function getAt(root: unknown, path: FieldPath): unknown {
  let x = root;
  for (const s of segments(path)) {
    if (Array.isArray(x) && /^\d+$/.test(s)) x = x[Number(s)];
    else if (isObject(x) && Object.hasOwn(x, s)) x = x[s];
    else return undefined;
  }
  return x;
}

/**
 * A copy of `root` with `value` at `path` (only the objects along the path are copied, so
 * untouched parts keep their identity). Missing containers are created: an array when the
 * next segment is a number, an object otherwise. `undefined` removes the key.
 */
export function setAt<T>(root: T, path: FieldPath, value: unknown): T {
  const walk = (node: unknown, rest: readonly string[]): unknown => {
    const [head, ...tail] = rest;
    if (head === undefined) return value;
    const index = /^\d+$/.test(head);
    if (index && (Array.isArray(node) || !isObject(node))) {
      const copy: unknown[] = Array.isArray(node) ? node.slice() : [];
      copy[Number(head)] = walk(copy[Number(head)], tail);
      return copy;
    }
    const copy: JsonObject = isObject(node) ? { ...node } : {};
    const next = walk(copy[head], tail);
    if (next === undefined) delete copy[head];
    else copy[head] = next;
    return copy;
  };
  return walk(root, segments(path)) as T;
}

/** A copy without the given top-level keys. */
export function omitKeys(o: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** What a person typed into a number field: `1e-3`, ` 0.02 `, `-1` (range checks are the schema's). */
export function parseNumber(text: string): Parsed<number> {
  const t = text.trim();
  if (t === '') return { ok: false, message: 'required' };
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { ok: false, message: 'must be a number' };
  const v = Number(t);
  return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, message: 'must be a finite number' };
}

/** A field value as the text of its input. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Comma-separated tags: trimmed, empty ones dropped, duplicates removed. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    ),
  ];
}

export interface Issue {
  readonly path: FieldPath;
  readonly message: string;
}

const count = (n: number | bigint): string => Number(n).toLocaleString('en-US');

/**
 * A validator's issue in plain words: "must be a whole number", "at most 2,147,483,647",
 * "at least 1 item" — never the validator's own text ("Invalid input: expected int,
 * received number").
 */
export function plainMessage(i: z.core.$ZodIssue): string {
  // the schema's own words ("must not be empty", "must be > 0") are kept
  if (!/^(Invalid|Too (big|small)|Unrecognized)/.test(i.message)) return i.message;
  switch (i.code) {
    case 'invalid_type': {
      if (/received undefined/.test(i.message)) return 'required';
      const words: Record<string, string> = {
        int: 'must be a whole number',
        number: 'must be a number',
        string: 'must be text',
        boolean: 'must be true or false',
        array: 'must be a list',
        object: 'must be an object',
      };
      return words[i.expected] ?? `must be ${i.expected}`;
    }
    case 'too_big': {
      const unit = i.origin === 'string' ? ' characters' : i.origin === 'array' ? ' items' : '';
      return i.inclusive ? `at most ${count(i.maximum)}${unit}` : `less than ${count(i.maximum)}${unit}`;
    }
    case 'too_small': {
      if (i.origin === 'string' && Number(i.minimum) === 1) return 'required';
      const unit = i.origin === 'string' ? ' characters' : i.origin === 'array' ? (Number(i.minimum) === 1 ? ' item' : ' items') : '';
      return i.inclusive ? `at least ${count(i.minimum)}${unit}` : `more than ${count(i.minimum)}${unit}`;
    }
    case 'invalid_value':
      return i.values.length === 1
        ? `must be ${JSON.stringify(i.values[0])}`
        : `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'is not one of the allowed forms';
    default:
      return i.message;
  }
}

/** zod issues as dotted paths in plain words, one per path (the first: a value has one thing wrong at a time); an unknown key becomes an issue at that key's own path. */
export function issuesOf(error: z.ZodError): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const i of error.issues) {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ path: path ? `${path}.${k}` : k, message: 'unknown field' });
    } else if (!seen.has(path)) {
      seen.add(path);
      out.push({ path, message: plainMessage(i) });
    }
  }
  return out;
}

const startLinkCounts = new WeakMap<object, number | null>();

/** Soft links of the schedule's starting circuit (null when it cannot be built); cached per start object. */
function startLinks(schedule: Schedule, problem: Problem | undefined): number | null {
  const hit = startLinkCounts.get(schedule.start);
  if (hit !== undefined) return hit;
  let n: number | null;
  try {
    n = startCircuit(schedule.start, schedule.seed, problem).weights.length;
  } catch {
    n = null;
  }
  startLinkCounts.set(schedule.start, n);
  return n;
}

/**
 * Values that are legal but almost surely not what was meant: a learning rate or an
 * initial scale above 1, a target size at or above the start's link count (nothing to cut),
 * a string longer than its cycles can read. Shown as warnings; the run can still start.
 */
export function scheduleWarnings(schedule: Schedule, problem?: Problem): Issue[] {
  const out: Issue[] = [];
  if (schedule.optimizer.lr > 1)
    out.push({ path: 'optimizer.lr', message: `learning rate ${schedule.optimizer.lr} is above 1: training usually diverges` });
  const arch = 'architecture' in schedule.start ? schedule.start.architecture : undefined;
  if (arch && 'scale' in arch && typeof arch.scale === 'number' && arch.scale > 1)
    out.push({ path: 'start.architecture.scale', message: `initial scale ${arch.scale} is above 1: the starting weights are large` });
  const links = startLinks(schedule, problem);
  if (links !== null && schedule.stop.targetLinks >= links)
    out.push({
      path: 'stop.targetLinks',
      message: `the target (${count(schedule.stop.targetLinks)} soft links) is not below the start's ${count(links)}: nothing will be cut`,
    });
  const strings = (list: readonly { text: string; cycles: number }[], at: string): void =>
    list.forEach((s, i) => {
      if (s.text.length > s.cycles)
        out.push({
          path: `${at}.${i}.cycles`,
          message: `"${s.text.length > 24 ? `${s.text.slice(0, 24)}…` : s.text}" has ${count(s.text.length)} characters but ${count(s.cycles)} cycles: the rest is never read`,
        });
    });
  strings(schedule.training.strings, 'training.strings');
  strings(schedule.testSuite, 'testSuite');
  return out;
}

/** Validates a whole schedule (after the server-side merges): the issues, or the parsed schedule. */
export function checkSchedule(data: unknown): { readonly schedule?: Schedule; readonly issues: Issue[] } {
  const r = ScheduleSchema.safeParse(data);
  return r.success ? { schedule: r.data, issues: [] } : { issues: issuesOf(r.error) };
}

/**
 * The anchor (a field or group of the form with an error slot) that shows an issue: the
 * issue's own path if the form has it, else its nearest enclosing anchor, else a field
 * the issue encloses (an issue on `training.strings` goes to the strings editor), else
 * GENERAL.
 */
export function anchorFor(path: FieldPath, anchors: ReadonlySet<string>): string {
  const parts = segments(path);
  for (let n = parts.length; n > 0; n--) {
    const p = parts.slice(0, n).join('.');
    if (anchors.has(p)) return p;
  }
  return GENERAL;
}

/** Issues grouped by the anchor that shows them (each message prefixed by the sub-path when it is not the anchor's own). */
export function groupIssues(issues: readonly Issue[], anchors: ReadonlySet<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) {
    const a = anchorFor(i.path, anchors);
    const rest = a === GENERAL ? i.path : i.path.slice(a.length + 1);
    const msg = rest ? `${rest}: ${i.message}` : i.message;
    const list = (out[a] ??= []);
    if (!list.includes(msg)) list.push(msg);
  }
  return out;
}

/** How the lab service merges a hyperparameter set or a parent schedule with a request (the shared mergeOverrides). */
export function mergeLikeService(base: JsonObject, over: JsonObject): JsonObject {
  return mergeOverrides(base, over) as JsonObject;
}

/** How `scheduleFromOverrides` merges over the default schedule (the shared mergeOverrides). */
export const mergeLikeSchedule = mergeOverrides;

/**
 * What the server does with a run's schedule overrides (`validSchedule`): merged over the
 * problem's default schedule (`base`, problemScheduleBase; default: defaultSchedule(seed)), seed kept.
 */
export function overDefault(overrides: JsonObject, base?: JsonObject): JsonObject {
  const seed = overrides['seed'];
  const start = base ?? defaultSchedule(typeof seed === 'number' ? seed : 1);
  const merged = mergeLikeSchedule(start, overrides) as JsonObject;
  if (typeof seed === 'number') merged['seed'] = seed;
  return merged;
}

/** A hyperparameter set's content: the schedule without the run's own seed and start point. */
export function hyperSetContent(draft: JsonObject): JsonObject {
  return omitKeys(draft, ['seed', 'start']);
}

/**
 * The draft after choosing a hyperparameter set (or none: the defaults): every
 * hyperparameter from the set over the defaults, the draft's seed and start point kept.
 */
export function applyHyperSet(draft: JsonObject, set: JsonObject | undefined, problemBase?: JsonObject): JsonObject {
  const seed = typeof draft['seed'] === 'number' ? draft['seed'] : 1;
  const base = problemBase ?? defaultSchedule(seed);
  const merged = mergeLikeSchedule(base, set ? omitKeys(set, ['seed', 'start']) : {}) as JsonObject;
  return { ...merged, seed: draft['seed'] ?? seed, start: draft['start'] ?? base['start'] };
}

// ---------------------------------------------------------------- the whole form

export type Source = 'schedule' | 'architecture' | 'snapshot';

/** Everything the form holds that decides what is sent. */
export interface FormState {
  readonly name: string;
  readonly problem: string;
  readonly tags: string;
  /** `schedule`: the draft's own start point (generate, matrix, repair); else an architecture of the library or a snapshot. */
  readonly source: Source;
  /** The schedule being edited (plain JSON, as the advanced editor shows it). */
  readonly draft: JsonObject;
  /** Text of fields that does not parse (by path); such a field keeps its last good value in the draft. */
  readonly fieldErrors: Readonly<Record<FieldPath, string>>;
  /** The advanced editor's text does not parse as a JSON object. */
  readonly jsonError?: string | undefined;
  /** A matrix file that could not be imported. */
  readonly matrixError?: string | undefined;
  /** The hyperparameter set the draft started from (sent as hyperSetId). */
  readonly hyperSet?: { readonly id: number; readonly schedule: JsonObject } | undefined;
  /** The library architecture the run starts from (source `architecture`). */
  readonly architecture?: { readonly id: number; readonly name: string; readonly version: number; readonly matrix: JsonObject } | undefined;
  /** The snapshot the run starts from (source `snapshot`) and its run's schedule. */
  readonly snapshot?: { readonly id: number; readonly runSchedule: JsonObject } | undefined;
  /** The chosen problem's definition (undefined: the duplicate detector, or not loaded yet). */
  readonly problemDefinition?: Problem | undefined;
  /** Its default schedule (problemScheduleBase), what the server merges the draft over. */
  readonly base?: JsonObject | undefined;
}

export type StartRequest =
  | {
      readonly method: 'runs.start';
      readonly params: {
        name?: string;
        problem: string;
        schedule: JsonObject;
        architectureId?: number;
        hyperSetId?: number;
        tags?: string[];
      };
    }
  | { readonly method: 'runs.resumeFrom'; readonly params: { snapshotId: number; name?: string; schedule: JsonObject } };

export interface Validation {
  /** Messages by anchor (field path, group, `name`, `tags`, `problem`, `architectureId`, `snapshotId`, GENERAL). */
  readonly errors: Readonly<Record<string, string[]>>;
  /** Every problem, with its full path (for the summary beside the Start button). */
  readonly count: number;
  /** Values that are legal but almost surely wrong, by field path (the run can still start). */
  readonly warnings: readonly Issue[];
  /** The request to send: present only when nothing is wrong. */
  readonly request?: StartRequest;
  /** The schedule the run will get (what the server computes from the request). */
  readonly schedule?: Schedule;
}

const NAME_MAX = 200;
const TAG_MAX = 100;

/**
 * The schedule the server computes from a request — mirrors LabService (`scheduleFor` for
 * runs.start, the parent-schedule merge for runs.resumeFrom) before `validSchedule`.
 */
export function serverSideSchedule(
  request: StartRequest,
  ctx: Pick<FormState, 'hyperSet' | 'architecture' | 'snapshot' | 'base'>,
): JsonObject {
  if (request.method === 'runs.resumeFrom') {
    return overDefault(mergeLikeService(ctx.snapshot?.runSchedule ?? {}, request.params.schedule), ctx.base);
  }
  let overrides = request.params.schedule;
  if (request.params.hyperSetId !== undefined && ctx.hyperSet) overrides = mergeLikeService(ctx.hyperSet.schedule, overrides);
  if (request.params.architectureId !== undefined && ctx.architecture) {
    const a = ctx.architecture;
    overrides = { ...overrides, start: { kind: 'matrix', name: `${a.name} v${a.version}`, matrix: a.matrix } };
  }
  return overDefault(overrides, ctx.base);
}

/** The request the form stands for (whether or not it is valid). */
export function buildRequest(form: FormState): StartRequest {
  const name = form.name.trim();
  if (form.source === 'snapshot') {
    return {
      method: 'runs.resumeFrom',
      // the weights come from the snapshot; its run's start point is kept for regrowing
      params: { snapshotId: form.snapshot?.id ?? 0, ...(name ? { name } : {}), schedule: omitKeys(form.draft, ['start']) },
    };
  }
  const tags = parseTags(form.tags);
  return {
    method: 'runs.start',
    params: {
      ...(name ? { name } : {}),
      problem: form.problem,
      // the library architecture replaces the start point on the server
      schedule: form.source === 'architecture' ? omitKeys(form.draft, ['start']) : form.draft,
      ...(form.source === 'architecture' && form.architecture ? { architectureId: form.architecture.id } : {}),
      ...(form.hyperSet && setKeepsDraft(form.draft, form.hyperSet.schedule) ? { hyperSetId: form.hyperSet.id } : {}),
      ...(tags.length ? { tags } : {}),
    },
  };
}

/**
 * Whether the lab, merging the set under the draft (as it does for a hyperSetId), still runs
 * the draft. It does not when the draft dropped an optional field the set has (e.g. a
 * curriculum removed in the JSON editor); the run is then sent without the set's id, so
 * what the form shows is what runs.
 */
export function setKeepsDraft(draft: JsonObject, set: JsonObject): boolean {
  return deepEqual(mergeLikeService(set, draft), draft);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

const matrixChecks = new WeakMap<object, string | null>();

/**
 * Why a start matrix is not a prototype-format matrix of the problem (null when it is);
 * cached per object (for the duplicate detector; another problem's frame is checked afresh).
 */
export function matrixProblem(matrix: unknown, of?: Problem): string | null {
  if (!isObject(matrix)) return 'choose a matrix file';
  const other = of !== undefined && of.name !== 'duplicates';
  const cached = other ? undefined : matrixChecks.get(matrix);
  if (cached !== undefined) return cached;
  let problem: string | null = null;
  try {
    if (other) prototypeMatrixSpec(matrix, frameOf(of), of.search.pushDepth);
    else prototypeMatrixSpec(matrix);
    if (Object.keys(matrix).length === 0) problem = 'the matrix has no links: choose a matrix file';
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  if (!other) matrixChecks.set(matrix, problem);
  return problem;
}

/** Everything wrong with the form, by anchor, and the request when nothing is. */
export function validateForm(form: FormState, anchors: ReadonlySet<string>): Validation {
  const errors: Record<string, string[]> = {};
  const add = (anchor: string, message: string) => {
    const list = (errors[anchor] ??= []);
    if (!list.includes(message)) list.push(message);
  };
  for (const [path, message] of Object.entries(form.fieldErrors)) add(path, message);
  if (form.jsonError) add(GENERAL, form.jsonError);
  const name = form.name.trim();
  if (name.length > NAME_MAX) add('name', `at most ${NAME_MAX} characters`);
  if (form.source !== 'snapshot') {
    if (!form.problem) add('problem', 'choose a problem');
    const tags = parseTags(form.tags);
    if (tags.length > 50) add('tags', 'at most 50 tags');
    for (const t of tags) if (t.length > TAG_MAX) add('tags', `a tag has at most ${TAG_MAX} characters`);
  }
  if (form.source === 'architecture' && !form.architecture) add('architectureId', 'choose an architecture');
  if (form.source === 'snapshot' && !form.snapshot) add('snapshotId', 'choose a run and one of its snapshots');
  if (form.source === 'schedule') {
    const start = form.draft['start'];
    if (isObject(start) && start['kind'] === 'matrix') {
      const p = form.matrixError ?? matrixProblem(start['matrix'], form.problemDefinition);
      if (p) add('start.matrix', p);
    }
  } else if (form.source === 'architecture' && form.architecture) {
    const p = matrixProblem(form.architecture.matrix, form.problemDefinition);
    if (p) add('architectureId', p);
  }

  const request = buildRequest(form);
  const { schedule, issues } = checkSchedule(serverSideSchedule(request, form));
  for (const i of issues) {
    // a field whose text does not parse already says so; its stale value is not the problem
    if (form.fieldErrors[i.path] !== undefined) continue;
    // the start point of a library architecture or a snapshot is not the form's to fix
    if (form.source !== 'schedule' && (i.path === 'start' || i.path.startsWith('start.'))) {
      add(form.source === 'architecture' ? 'architectureId' : 'snapshotId', `${i.path}: ${i.message}`);
      continue;
    }
    const grouped = groupIssues([i], anchors);
    for (const [a, msgs] of Object.entries(grouped)) for (const m of msgs) add(a, m);
  }
  const n = Object.values(errors).reduce((k, l) => k + l.length, 0);
  const warnings = schedule ? scheduleWarnings(schedule, form.problemDefinition) : [];
  return n === 0 && schedule ? { errors, count: n, warnings, request, schedule } : { errors, count: n, warnings };
}

/**
 * A server error message as field issues when it names them (`invalid schedule: a.b: msg; c: msg`
 * or `runs.start: schedule.x: msg`), so they can be listed readably; empty otherwise.
 */
export function serverIssues(message: string): Issue[] {
  const body = message.replace(/^[\w.]+: (?=\S+: )/, '').replace(/^invalid schedule: /, '');
  const out: Issue[] = [];
  for (const part of body.split('; ')) {
    const m = /^([A-Za-z(][\w.()]*): (.+)$/.exec(part);
    if (!m) return [];
    out.push({ path: m[1]!, message: m[2]! });
  }
  return out;
}
