/**
 * Live validation of an architecture document. Every issue names the neuron or
 * the link it is about, so the editor can list them with click-to-locate. The engines
 * tolerate all of these (spec §2 skips missing sources), so they are reported, not refused.
 */
import { NEURON_TYPES } from '../machine/neuron-types';
import { graphLosses, linkKey, linkRef, type EditorDocument, type EditorLink, type LinkRef } from './document';

export type Severity = 'error' | 'warning';

export type IssueCode =
  | 'unknown-type'
  | 'duplicate-name'
  | 'empty-name'
  | 'unknown-neuron'
  | 'unknown-port'
  | 'into-output-port'
  | 'out-of-input-port'
  | 'missing-input'
  | 'missing-output'
  | 'non-finite-weight'
  | 'duplicate-link'
  | 'not-saved';

export interface ValidationIssue {
  readonly severity: Severity;
  readonly code: IssueCode;
  readonly message: string;
  readonly neuron?: string;
  readonly link?: LinkRef;
}

function label(l: LinkRef): string {
  return `${l.soft ? 'soft' : 'hard'} link ${l.to}.${l.toPort} ← ${l.from}.${l.fromPort}`;
}

export interface ValidateOptions {
  /** Also warn about what saving as an architecture record would drop (default true). */
  readonly graph?: boolean;
}

export function validateDocument(doc: EditorDocument, options: ValidateOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const typeOf = new Map<string, string>();
  const counted = new Set<string>();
  for (const n of doc.neurons) {
    if (n.name.length === 0) issues.push({ severity: 'error', code: 'empty-name', message: 'a neuron has an empty name', neuron: n.name });
    if (typeOf.has(n.name)) {
      if (!counted.has(n.name)) {
        counted.add(n.name);
        issues.push({ severity: 'error', code: 'duplicate-name', message: `more than one neuron is named "${n.name}"`, neuron: n.name });
      }
      continue;
    }
    typeOf.set(n.name, n.type);
    if (!NEURON_TYPES.has(n.type)) {
      issues.push({
        severity: 'error',
        code: 'unknown-type',
        message: `"${n.name}" has unknown type "${n.type}" (known: ${[...NEURON_TYPES.keys()].join(', ')})`,
        neuron: n.name,
      });
    }
  }
  const types = [...typeOf.values()];
  if (!types.includes('input')) issues.push({ severity: 'error', code: 'missing-input', message: 'the machine has no input neuron' });
  if (!types.includes('output')) issues.push({ severity: 'error', code: 'missing-output', message: 'the machine has no output neuron' });

  const seen = new Set<string>();
  for (const l of doc.links) {
    const link = linkRef(l);
    const k = linkKey(l);
    if (seen.has(k))
      issues.push({
        severity: 'warning',
        code: 'duplicate-link',
        message: `${label(l)} appears more than once (the weights add up)`,
        link,
      });
    seen.add(k);
    checkEnd(issues, l, link, 'to', typeOf);
    checkEnd(issues, l, link, 'from', typeOf);
    if (!Number.isFinite(l.weight)) {
      issues.push({ severity: 'error', code: 'non-finite-weight', message: `${label(l)} has weight ${l.weight}`, link });
    }
  }

  if (options.graph ?? true) {
    const losses = graphLosses(doc);
    for (const l of losses.extraHardLinks) {
      issues.push({
        severity: 'warning',
        code: 'not-saved',
        message: `${label(l)} is not one of the inferred hard links: an architecture record does not keep it`,
        link: linkRef(l),
      });
    }
    for (const name of losses.paramNeurons) {
      issues.push({
        severity: 'warning',
        code: 'not-saved',
        message: `the parameters of "${name}" are not kept by an architecture record`,
        neuron: name,
      });
    }
  }
  return issues;
}

function checkEnd(issues: ValidationIssue[], l: EditorLink, link: LinkRef, end: 'to' | 'from', typeOf: ReadonlyMap<string, string>): void {
  const name = end === 'to' ? l.to : l.from;
  const port = end === 'to' ? l.toPort : l.fromPort;
  const typeName = typeOf.get(name);
  if (typeName === undefined) {
    issues.push({ severity: 'error', code: 'unknown-neuron', message: `${label(l)}: no neuron named "${name}"`, link });
    return;
  }
  const t = NEURON_TYPES.get(typeName);
  if (!t) return; // reported on the neuron
  const wanted = end === 'to' ? t.inputs : t.outputs;
  const other = end === 'to' ? t.outputs : t.inputs;
  if (wanted.includes(port)) return;
  if (other.includes(port)) {
    issues.push(
      end === 'to'
        ? {
            severity: 'error',
            code: 'into-output-port',
            message: `${label(l)} goes into "${port}", an output port of ${typeName} "${name}"`,
            neuron: name,
            link,
          }
        : {
            severity: 'error',
            code: 'out-of-input-port',
            message: `${label(l)} comes out of "${port}", an input port of ${typeName} "${name}"`,
            neuron: name,
            link,
          },
    );
  } else {
    const list = wanted.length ? wanted.join(', ') : 'none';
    issues.push({
      severity: 'error',
      code: 'unknown-port',
      message: `${label(l)}: ${typeName} "${name}" has no ${end === 'to' ? 'input' : 'output'} port "${port}" (${end === 'to' ? 'inputs' : 'outputs'}: ${list})`,
      neuron: name,
      link,
    });
  }
}

/** Issues about one neuron or link (for highlighting). */
export function issuesFor(issues: readonly ValidationIssue[], target: { neuron?: string; link?: LinkRef }): ValidationIssue[] {
  return issues.filter((i) =>
    target.neuron !== undefined
      ? i.neuron === target.neuron
      : target.link !== undefined && i.link !== undefined && linkKey(i.link) === linkKey(target.link),
  );
}

/**
 * The question to ask before acting on a graph with validation errors ("Train from this",
 * "Evaluate"): how many errors, the first few in full, and whether to go on anyway.
 * Undefined when there is no error (warnings do not ask).
 */
export function errorsQuestion(issues: readonly ValidationIssue[], action: string): string | undefined {
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) return undefined;
  const shown = errors.slice(0, 3).map((i) => `• ${i.message}`);
  if (errors.length > shown.length) shown.push(`• … and ${errors.length - shown.length} more (see Validation)`);
  return `This graph has ${errors.length} validation error${errors.length === 1 ? '' : 's'}:\n${shown.join('\n')}\n\n${action} anyway?`;
}
