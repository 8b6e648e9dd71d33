/** The reference row's figures computed in the page's worker, once per window (reference.ts says what they are). */
import { runHeavy } from '../../lib/heavy-work';
import { STATED_REFERENCE, type ReferenceFigures } from './reference';

export type { ReferenceFigures };

let once: Promise<ReferenceFigures> | undefined;

/** The hand-crafted detector's test-suite figures (the stated ones, with the reason, if the computation fails). */
export function referenceFiguresOffThread(): Promise<ReferenceFigures> {
  once ??= runHeavy('referenceFigures').catch((e: unknown) => ({ ...STATED_REFERENCE, error: e instanceof Error ? e.message : String(e) }));
  return once;
}
