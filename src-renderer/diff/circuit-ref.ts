/**
 * Circuit references of the diff screen (the route's `a`/`b` and a saved comparison's
 * circuits, see CircuitRefSchema): `snap:ID`, `run:ID`, `arch:ID` or `hand`.
 */
import { circuitRefParts, type CircuitRefParts } from '@shared/api/records';

export type { CircuitRefParts } from '@shared/api/records';

/** The parts of a reference, or an error naming what is wrong with it. */
export function parseCircuitRef(text: string): CircuitRefParts | { readonly error: string } {
  return (
    circuitRefParts(text.trim()) ?? {
      error: `"${text}" is not a circuit: use snap:ID (a snapshot), run:ID (a run's last snapshot), arch:ID (a library architecture), hand or teacher:PROBLEM (a problem's teacher)`,
    }
  );
}

export function formatCircuitRef(p: CircuitRefParts): string {
  if (p.kind === 'hand') return 'hand';
  if (p.kind === 'teacher') return `teacher:${p.problem}${p.version !== undefined ? `@${p.version}` : ''}`;
  return `${p.kind}:${p.id}`;
}

/** A short description of a reference before its circuit is loaded. */
export function describeCircuitRef(text: string): string {
  const p = parseCircuitRef(text);
  if ('error' in p) return text;
  switch (p.kind) {
    case 'hand':
      return 'the hand-crafted detector';
    case 'teacher':
      return `the teacher of ${p.problem}${p.version !== undefined ? ` v${p.version}` : ''}`;
    case 'snap':
      return `snapshot ${p.id}`;
    case 'run':
      return `run ${p.id} (last snapshot)`;
    case 'arch':
      return `architecture ${p.id}`;
  }
}
