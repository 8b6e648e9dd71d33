/**
 * The New-run form's state (Svelte 5 runes): the schedule draft, what is typed into each
 * field, the advanced JSON editor's text, the chosen start point and hyperparameter set,
 * and the validation derived from all of it. The logic itself is in schedule-form.ts.
 */
import { parseCheckedJson } from '@shared/io/checked-json';
import { importPrototypeMatrix } from '@shared/io/prototype-matrix';
import type { Link } from '@shared/machine/spec';
import type { Problem } from '@shared/problems/problem';
import { problemScheduleBase } from '@shared/problems/problem-schedule';
import { defaultSchedule } from '@shared/synthesis/schedule';
import { cutOfKind, estimatorOfKind, formAnchors, INTERNEURONS, REMOVE_PATH, startOfKind, TYPES_PATH } from './fields';
import {
  applyHyperSet,
  checkSchedule,
  formatValue,
  getAt,
  hyperSetContent,
  isObject,
  overDefault,
  parseNumber,
  setAt,
  validateForm,
  type FieldPath,
  type FormState,
  type JsonObject,
  type Source,
} from './schedule-form';

export type StartChoice = 'generate' | 'matrix' | 'repair' | 'architecture' | 'snapshot';

const pretty = (x: unknown): string => JSON.stringify(x, null, 2);

const sameLink = (a: unknown, b: Link): boolean =>
  isObject(a) && a['to'] === b.to && a['toPort'] === b.toPort && a['from'] === b.from && a['fromPort'] === b.fromPort;

export class NewRunState {
  name = $state('');
  problem = $state('duplicates');
  tags = $state('');
  source = $state<Source>('schedule');
  draft = $state.raw<JsonObject>(defaultSchedule(1) as unknown as JsonObject);
  /** What is typed into number fields, by path (kept verbatim so typing `0.` is not rewritten). */
  texts = $state.raw<Record<FieldPath, string>>({});
  fieldErrors = $state.raw<Record<FieldPath, string>>({});
  jsonText = $state('');
  jsonError = $state<string | undefined>();
  matrixError = $state<string | undefined>();
  hyperSet = $state.raw<FormState['hyperSet'] & { name: string }>();
  architecture = $state.raw<FormState['architecture']>();
  snapshot = $state.raw<FormState['snapshot']>();
  /** The chosen problem's definition (its defaults are what the draft is merged over). */
  problemDefinition = $state.raw<Problem | undefined>();
  readonly base = $derived.by((): JsonObject | undefined => {
    const p = this.problemDefinition;
    if (!p) return undefined;
    const seed = this.draft['seed'];
    return problemScheduleBase(p, typeof seed === 'number' ? seed : 1);
  });

  readonly anchors = $derived(formAnchors(this.draft));
  readonly validation = $derived(
    validateForm(
      {
        name: this.name,
        problem: this.problem,
        tags: this.tags,
        source: this.source,
        draft: this.draft,
        fieldErrors: this.fieldErrors,
        jsonError: this.jsonError,
        matrixError: this.matrixError,
        hyperSet: this.hyperSet,
        architecture: this.architecture,
        snapshot: this.snapshot,
        problemDefinition: this.problemDefinition,
        base: this.base,
      },
      this.anchors,
    ),
  );
  /** The hyperparameters alone (no seed, no start point) make a set the lab accepts. */
  readonly hyperSetValid = $derived(
    Object.keys(this.fieldErrors).length === 0 &&
      this.jsonError === undefined &&
      checkSchedule(overDefault(hyperSetContent(this.draft), this.base)).issues.length === 0,
  );
  readonly startChoice = $derived<StartChoice>(
    this.source !== 'schedule' ? this.source : (String(getAt(this.draft, 'start.kind')) as StartChoice),
  );

  constructor() {
    this.jsonText = pretty(this.draft);
  }

  /** The text a field shows. */
  text(path: FieldPath): string {
    return this.texts[path] ?? formatValue(getAt(this.draft, path));
  }

  errors(anchor: string): string[] | undefined {
    return this.validation.errors[anchor];
  }

  /** A new draft from the fields (the JSON editor follows). */
  private update(next: JsonObject): void {
    this.draft = next;
    this.jsonText = pretty(next);
    this.jsonError = undefined;
  }

  /** A new draft from elsewhere (JSON editor, a hyperparameter set, a run): typed texts are dropped. */
  replaceDraft(next: JsonObject, fromJsonEditor = false): void {
    this.draft = next;
    this.texts = {};
    this.fieldErrors = {};
    if (!fromJsonEditor) {
      this.jsonText = pretty(next);
      this.jsonError = undefined;
    }
  }

  private forget(prefix: string): void {
    const keep = (p: string) => p !== prefix && !p.startsWith(prefix + '.');
    this.texts = Object.fromEntries(Object.entries(this.texts).filter(([p]) => keep(p)));
    this.fieldErrors = Object.fromEntries(Object.entries(this.fieldErrors).filter(([p]) => keep(p)));
  }

  setNumber(path: FieldPath, text: string): void {
    this.texts = { ...this.texts, [path]: text };
    const parsed = parseNumber(text);
    const { [path]: _old, ...others } = this.fieldErrors;
    if (parsed.ok) {
      this.fieldErrors = others;
      this.update(setAt(this.draft, path, parsed.value));
    } else {
      this.fieldErrors = { ...others, [path]: parsed.message };
    }
  }

  setValue(path: FieldPath, value: unknown): void {
    this.forget(path);
    this.update(setAt(this.draft, path, value));
  }

  editJson(text: string): void {
    this.jsonText = text;
    let parsed: unknown;
    try {
      parsed = parseCheckedJson(text, { source: 'the schedule' }); // a key given twice is refused, not last-wins
    } catch (e) {
      this.jsonError = `not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
      return;
    }
    if (!isObject(parsed)) {
      this.jsonError = 'the schedule must be a JSON object';
      return;
    }
    this.jsonError = undefined;
    this.matrixError = undefined;
    // a partial schedule ({"seed": 7}) is what differs from the defaults: merged over them, as the lab does
    this.replaceDraft(overDefault(parsed, this.base), true);
  }

  chooseStart(choice: StartChoice): void {
    this.matrixError = undefined;
    if (choice === 'architecture' || choice === 'snapshot') {
      this.source = choice;
      return;
    }
    this.source = 'schedule';
    this.forget('start');
    this.update(setAt(this.draft, 'start', startOfKind(choice, this.draft['start'])));
  }

  setEstimatorKind(kind: string): void {
    this.forget('estimator');
    this.update(setAt(this.draft, 'estimator', estimatorOfKind(kind, this.draft['estimator'])));
  }

  setCutKind(kind: string): void {
    this.forget('rounds.cut');
    this.update(setAt(this.draft, 'rounds.cut', cutOfKind(kind, getAt(this.draft, 'rounds.cut'))));
  }

  hasType(t: string): boolean {
    const types = getAt(this.draft, TYPES_PATH);
    return Array.isArray(types) && types.includes(t);
  }

  toggleType(t: string, on: boolean): void {
    const types = getAt(this.draft, TYPES_PATH);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local working set, written back through setValue
    const have = new Set(Array.isArray(types) ? types : []);
    if (on) have.add(t);
    else have.delete(t);
    // canonical order, then anything unusual the JSON editor put there
    const next = [...INTERNEURONS.filter((x) => have.has(x)), ...[...have].filter((x) => !INTERNEURONS.includes(x as string))];
    this.setValue(TYPES_PATH, next);
  }

  isRemoved(link: Link): boolean {
    const remove = getAt(this.draft, REMOVE_PATH);
    return Array.isArray(remove) && remove.some((r) => sameLink(r, link));
  }

  toggleRemove(link: Link, on: boolean): void {
    const remove = getAt(this.draft, REMOVE_PATH);
    const rest = (Array.isArray(remove) ? remove : []).filter((r) => !sameLink(r, link));
    this.setValue(REMOVE_PATH, on ? [...rest, { ...link }] : rest);
  }

  setMatrixArchitecture(on: boolean): void {
    this.setValue('start.architecture', on ? { layers: 5, copies: 2, types: [...INTERNEURONS], skip: true, scale: 0.01 } : undefined);
  }

  addString(list: string): void {
    const rows = getAt(this.draft, list);
    const last = Array.isArray(rows) ? rows[rows.length - 1] : undefined;
    const cycles = isObject(last) && typeof last['cycles'] === 'number' ? last['cycles'] : 70;
    this.update(setAt(this.draft, list, [...(Array.isArray(rows) ? rows : []), { text: 'ab.', cycles }]));
  }

  removeString(list: string, index: number): void {
    const rows = getAt(this.draft, list);
    if (!Array.isArray(rows)) return;
    this.forget(list);
    this.update(
      setAt(
        this.draft,
        list,
        rows.filter((_, i) => i !== index),
      ),
    );
  }

  /** Reads a prototype-format matrix file into the start point; a bad file's error names its place. */
  async loadMatrixFile(file: File): Promise<void> {
    let matrix: unknown;
    try {
      // the bytes, not file.text(): text would turn bytes that are not UTF-8 into U+FFFD unnoticed
      const bytes = new Uint8Array(await file.arrayBuffer());
      importPrototypeMatrix(bytes, file.name); // names what is wrong: a duplicate key, the encoding, a bad weight
      matrix = parseCheckedJson(bytes, { source: file.name });
    } catch (e) {
      this.matrixError = e instanceof Error ? e.message : String(e);
      return;
    }
    this.matrixError = undefined;
    const start = this.draft['start'];
    const architecture = isObject(start) && start['kind'] === 'matrix' ? start['architecture'] : undefined;
    this.setValue('start', {
      kind: 'matrix',
      name: file.name.replace(/\.json$/i, ''),
      matrix,
      ...(architecture !== undefined ? { architecture } : {}),
    });
  }

  /** Starts from a hyperparameter set (or the defaults), keeping the seed and the start point. */
  useHyperSet(set: { id: number; name: string; schedule: JsonObject } | undefined): void {
    this.hyperSet = set;
    this.replaceDraft(applyHyperSet(this.draft, set?.schedule, this.base));
  }

  /**
   * Chooses the problem: its defaults (its data, its generated start, its schedule) become
   * the draft — the chosen hyperparameter set over them, the seed kept. With `keepDraft`
   * (re-running a run), the draft stays as it is.
   */
  chooseProblem(id: string, definition: Problem | undefined, keepDraft = false): void {
    this.problem = id;
    this.problemDefinition = definition;
    if (keepDraft) return;
    const seed = typeof this.draft['seed'] === 'number' ? this.draft['seed'] : 1;
    const base = definition ? problemScheduleBase(definition, seed) : (defaultSchedule(seed) as unknown as JsonObject);
    this.matrixError = undefined;
    this.replaceDraft(applyHyperSet({ seed, start: base['start'] }, this.hyperSet?.schedule, base));
  }
}
