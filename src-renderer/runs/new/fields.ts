/**
 * The fields the New-run form shows, by schedule path, and the defaults used when a choice
 * (start point, estimator, cut rule) switches a part of the schedule to another kind.
 * Everything else in a schedule is edited in the advanced JSON editor.
 */
import { INTERNEURON_TYPES } from '@shared/machine/neuron-types';
import { linkLabel, matrixLinks } from '@shared/machine/spec';
import { handcraftedDetector } from '@shared/problems/duplicates/handcrafted';
import { GENERAL, getAt, isObject, type FieldPath, type JsonObject } from './schedule-form';

export type FieldKind = 'number' | 'boolean' | 'select';

export interface FieldSpec {
  readonly path: FieldPath;
  readonly label: string;
  readonly kind: FieldKind;
  readonly options?: readonly string[];
  readonly help?: string;
}

const num = (path: FieldPath, label: string, help?: string): FieldSpec => ({ path, label, kind: 'number', ...(help ? { help } : {}) });
const bool = (path: FieldPath, label: string, help?: string): FieldSpec => ({ path, label, kind: 'boolean', ...(help ? { help } : {}) });
const select = (path: FieldPath, label: string, options: readonly string[], help?: string): FieldSpec => ({
  path,
  label,
  kind: 'select',
  options,
  ...(help ? { help } : {}),
});

export const SEED_FIELD = num('seed', 'Seed', 'every random draw of the run derives from it');

export const ARCHITECTURE_FIELDS: readonly FieldSpec[] = [
  num('start.architecture.layers', 'Layers'),
  num('start.architecture.copies', 'Copies per layer'),
  num('start.architecture.scale', 'Initial weight scale'),
  bool('start.architecture.skip', 'Skip links'),
];
export const TYPES_PATH = 'start.architecture.types';
export const INTERNEURONS: readonly string[] = INTERNEURON_TYPES;

export const REPAIR_FIELDS: readonly FieldSpec[] = [
  num('start.perturb', 'Perturbation', 'weights scaled by 1 ± perturb'),
  select('start.embed', 'Embed', ['architecture', 'circuit'], 'architecture: all its links; circuit: the broken circuit alone'),
];
export const REMOVE_PATH = 'start.remove';

/** The hand-crafted detector's soft links, which a repair start may remove. */
export const DETECTOR_LINKS = matrixLinks(handcraftedDetector().trainable).map(({ to, toPort, from, fromPort }) => ({
  link: { to, toPort, from, fromPort },
  label: linkLabel({ to, toPort, from, fromPort }),
}));

export const ESTIMATOR_KIND = select('estimator.kind', 'Estimator', ['gradient', 'es']);
export const GRADIENT_FIELDS: readonly FieldSpec[] = [
  select('estimator.gradients', 'Gradients', ['exact', 'prototype'], 'prototype: the 2022 rule (no gradient through accum.dict-1)'),
];
export const ES_FIELDS: readonly FieldSpec[] = [
  num('estimator.sigma', 'σ (perturbation scale)'),
  num('estimator.population', 'Antithetic pairs'),
  num('estimator.weightDecay', 'Weight decay'),
  num('estimator.workers', 'Worker threads'),
];

export const CUT_KIND = select('rounds.cut.kind', 'Cut rule', ['fraction', 'threshold', 'count']);
export const CUT_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = {
  fraction: [num('rounds.cut.fraction', 'Fraction cut')],
  threshold: [num('rounds.cut.threshold', '|w| threshold'), num('rounds.cut.factor', 'Threshold factor')],
  count: [num('rounds.cut.count', 'Links cut')],
};

export interface Section {
  readonly title: string;
  readonly fields: readonly FieldSpec[];
}

export const SECTIONS: readonly Section[] = [
  {
    title: 'Optimizer',
    fields: [num('optimizer.lr', 'Learning rate'), num('optimizer.beta1', 'β1'), num('optimizer.beta2', 'β2'), num('optimizer.eps', 'ε')],
  },
  {
    title: 'Dense phase',
    fields: [
      num('dense.steps', 'Steps'),
      num('dense.until', 'Until loss ≤'),
      num('dense.l1', 'λ1'),
      num('dense.l2', 'λ2'),
      bool('dense.lrDecay', 'lr decay'),
    ],
  },
  {
    title: 'Sparsification',
    fields: [
      num('rounds.l1.start', 'λ1 start'),
      num('rounds.l1.factor', 'λ1 factor'),
      num('rounds.l1.max', 'λ1 max'),
      num('rounds.l1.fine', 'λ1 fine'),
      num('rounds.fineBelow', 'Fine cuts below (links)'),
      num('rounds.retrain.budget', 'Retrain budget'),
      num('rounds.retrain.lr', 'Retrain lr'),
      num('rounds.accept.ceiling', 'Accept ceiling'),
      num('rounds.accept.tolerance', 'Accept tolerance'),
    ],
  },
  {
    title: 'Stop, polish, regrow, restarts',
    fields: [
      num('stop.targetLinks', 'Target soft links'),
      num('stop.stepBudget', 'Step budget'),
      num('polish.steps', 'Polish steps'),
      num('polish.lr', 'Polish lr'),
      num('regrow.max', 'Regrow at most'),
      num('restarts.max', 'Restarts at most'),
    ],
  },
];

/** The string lists edited as rows of text + cycles. */
export const STRING_LISTS = [
  { path: 'training.strings', title: 'Training strings' },
  { path: 'testSuite', title: 'Test suite (held out)' },
] as const;

/** Every path with an error slot in the form, for the schedule `draft` (string-list rows depend on it). */
export function formAnchors(draft: JsonObject): Set<string> {
  const fixed = [
    'name',
    'tags',
    'problem',
    'architectureId',
    'snapshotId',
    GENERAL,
    SEED_FIELD.path,
    'start',
    'start.kind',
    'start.matrix',
    'start.architecture',
    TYPES_PATH,
    REMOVE_PATH,
    'estimator',
    'rounds.cut',
    ...ARCHITECTURE_FIELDS.map((f) => f.path),
    ...REPAIR_FIELDS.map((f) => f.path),
    ESTIMATOR_KIND.path,
    ...GRADIENT_FIELDS.map((f) => f.path),
    ...ES_FIELDS.map((f) => f.path),
    CUT_KIND.path,
    ...Object.values(CUT_FIELDS).flatMap((l) => l.map((f) => f.path)),
    ...SECTIONS.flatMap((s) => s.fields.map((f) => f.path)),
  ];
  const out = new Set(fixed);
  for (const { path } of STRING_LISTS) {
    out.add(path);
    const rows = getAt(draft, path);
    if (!Array.isArray(rows)) continue;
    rows.forEach((_, i) => {
      out.add(`${path}.${i}`);
      out.add(`${path}.${i}.text`);
      out.add(`${path}.${i}.cycles`);
    });
  }
  return out;
}

const SMALL_ARCHITECTURE = { layers: 2, copies: 1, types: [...INTERNEURON_TYPES], skip: true, scale: 0.1 };

/** The start point after switching to `kind`, keeping the architecture the draft had. */
export function startOfKind(kind: 'generate' | 'matrix' | 'repair', current: unknown): JsonObject {
  const cur = isObject(current) ? current : {};
  const architecture = isObject(cur['architecture']) ? cur['architecture'] : undefined;
  if (kind === cur['kind']) return cur;
  switch (kind) {
    case 'generate':
      return { kind, architecture: architecture ?? SMALL_ARCHITECTURE };
    case 'matrix':
      return { kind, name: 'matrix', matrix: {} };
    case 'repair':
      return {
        kind,
        architecture: architecture ?? { layers: 5, copies: 2, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.01 },
        remove: [],
        perturb: 0.3,
        embed: 'architecture',
      };
  }
}

/** The estimator after switching to `kind`. */
export function estimatorOfKind(kind: string, current: unknown): JsonObject {
  if (isObject(current) && current['kind'] === kind) return current;
  return kind === 'es' ? { kind: 'es', sigma: 0.02, population: 16, weightDecay: 0, workers: 0 } : { kind: 'gradient', gradients: 'exact' };
}

/** The cut rule after switching to `kind`. */
export function cutOfKind(kind: string, current: unknown): JsonObject {
  if (isObject(current) && current['kind'] === kind) return current;
  if (kind === 'threshold') return { kind, threshold: 0.01, factor: 1.5 };
  if (kind === 'count') return { kind, count: 1 };
  return { kind: 'fraction', fraction: 0.5 };
}
