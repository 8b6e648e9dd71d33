/**
 * The renderer's heavy computations, by name: each takes and returns plain data (structured
 * clone: objects, arrays, Maps, typed arrays), so it can run in the page's worker
 * (heavy.worker.ts) or, where no worker can run, in the page itself (heavy-work.ts).
 */
import { evaluateDocument } from '@shared/editor/evaluate';
import type { EditorDocument } from '@shared/editor/document';
import type { MachineSpec } from '@shared/machine/spec';
import type { Problem } from '@shared/problems/problem';
import { neuronProfiles } from '@shared/diff/traces';
import { referenceFigures } from '../runs/browser/reference';

export const HEAVY_TASKS = {
  /** A circuit's behaviour on the diff's probes (the diff's behavioural evidence, one circuit at a time). */
  neuronProfiles: (spec: MachineSpec) => neuronProfiles(spec),
  /** The editor's Evaluate: the document's machine beside a problem's teacher. */
  evaluateDocument: (doc: EditorDocument, problem: Problem) => evaluateDocument(doc, problem),
  /** The run browser's reference row: the hand-crafted detector's test-suite figures. */
  referenceFigures: () => referenceFigures(),
};

export type HeavyTask = keyof typeof HEAVY_TASKS;
export type HeavyArgs<T extends HeavyTask> = Parameters<(typeof HEAVY_TASKS)[T]>;
export type HeavyResult<T extends HeavyTask> = ReturnType<(typeof HEAVY_TASKS)[T]>;

export interface HeavyRequest {
  readonly id: number;
  readonly task: HeavyTask;
  readonly args: readonly unknown[];
}

export type HeavyReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** Runs one request (in the worker, or in the page as the fallback). */
export function runHeavyTask(r: HeavyRequest): HeavyReply {
  try {
    const f = HEAVY_TASKS[r.task] as (...args: readonly unknown[]) => unknown;
    return { id: r.id, ok: true, value: f(...r.args) };
  } catch (e) {
    return { id: r.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}
