/**
 * Why an attempt failed, in words a person can act on, read from its own event log: the
 * steps the spike guard undid (the largest jump and where), a dense phase that stalled
 * above the first cut's target, the last cut that could not be repaired (what it removed,
 * how far retraining got), and a spent step budget. Used by the verdict of a failed attempt.
 */
import { linkLabel } from '../machine/spec';
import type { SynthesisEvent } from './events';
import type { StopReason } from './hooks';

type Of<K extends SynthesisEvent['kind']> = Extract<SynthesisEvent, { kind: K }>;

const g = (x: number) => x.toPrecision(3);

/** The reasons an attempt with these events (its own, in order) and this stop reason failed; empty when none is visible. */
export function diagnose(events: readonly SynthesisEvent[], stopReason: StopReason): string[] {
  const out: string[] = [];
  const spikes = events.filter((e): e is Of<'spike'> => e.kind === 'spike');
  if (spikes.length) {
    const worst = spikes.reduce((a, b) => (b.loss / b.before > a.loss / a.before ? b : a));
    out.push(
      `unstable: the spike guard undid ${spikes.length} steps (the largest jump to ${g(worst.loss)} from ${g(worst.before)} at step ${worst.step}, ${worst.phase} phase, ${worst.softLinks} soft links)`,
    );
  }
  const sparsify = events.findIndex((e) => e.kind === 'phase' && e.phase === 'sparsify');
  const accepted = events.some((e) => e.kind === 'accept');
  const firstBacktrack = events.find((e): e is Of<'backtrack'> => e.kind === 'backtrack');
  if (sparsify >= 0 && !accepted && firstBacktrack) {
    out.push(
      `stalled after the dense phase: no cut was ever accepted (the first retrained only to ${g(firstBacktrack.preregLoss)} against its target ${g(firstBacktrack.target)})`,
    );
  }
  const lastBacktrack = [...events].reverse().find((e): e is Of<'backtrack'> => e.kind === 'backtrack');
  if (lastBacktrack && (stopReason === 'stalled' || stopReason === 'budget')) {
    const cut = [...events]
      .reverse()
      .find((e): e is Of<'cut'> => e.kind === 'cut' && e.step <= lastBacktrack.step && e.round === lastBacktrack.round);
    const what = cut
      ? ` removing ${cut.removed.slice(0, 3).map(linkLabel).join(', ')}${cut.removed.length > 3 ? ` and ${cut.removed.length - 3} more` : ''}`
      : '';
    out.push(
      `a cut that could not be repaired: round ${lastBacktrack.round}${what} retrained ${lastBacktrack.retrainSteps} steps to a loss of ${g(lastBacktrack.preregLoss)} > target ${g(lastBacktrack.target)} at ${lastBacktrack.softLinks} soft links`,
    );
  }
  if (stopReason === 'budget') out.push('the step budget ran out');
  return out;
}
