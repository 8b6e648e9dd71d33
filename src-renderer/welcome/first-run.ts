/**
 * When the welcome screen shows by itself (a lab without runs, not dismissed on this
 * machine), and the two runs it offers: a repair of the perturbed hand-crafted detector as a short example run,
 * and a first synthesis with the default schedule.
 */
import type { ApiClient } from '@shared/api/contract';
import { defaultSchedule } from '@shared/synthesis/schedule';

export const WELCOME_DISMISSED_KEY = 'dmm-lab-welcome-dismissed';

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

export function isWelcomeDismissed(storage: Storage): boolean {
  return storage.getItem(WELCOME_DISMISSED_KEY) === '1';
}

export function dismissWelcome(storage: Storage): void {
  storage.setItem(WELCOME_DISMISSED_KEY, '1');
}

/** Whether to open the welcome screen at start: nothing in the lab yet (trash included) and not dismissed. */
export async function shouldShowWelcome(client: Pick<ApiClient, 'runs.list'>, storage: Storage): Promise<boolean> {
  if (isWelcomeDismissed(storage)) return false;
  const [live, trashed] = await Promise.all([client['runs.list']({ limit: 1 }), client['runs.list']({ limit: 1, trash: true })]);
  return live.total === 0 && trashed.total === 0;
}

export const EXAMPLE_RUN_NAME = 'Hand-crafted detector (example)';
export const FIRST_SYNTHESIS_NAME = 'First synthesis';

/** The example's seed: the same perturbation, and so the same curve, on every machine. */
export const EXAMPLE_SEED = 1;
/** Each of the detector's eight weights is scaled by 1 ± this (sign from the seed). */
export const EXAMPLE_PERTURB = 0.5;

/**
 * Schedule overrides of the example run: a repair. The hand-crafted detector with only its
 * own eight links, each weight scaled by 1 ± 50 % (signs drawn from the fixed seed), so the
 * loss starts clearly high (≈ 750 on the training strings); dense training without a
 * regulariser repairs it — the loss falls by about nine orders of magnitude (until it is at
 * most 1e-7) to a circuit that behaves exactly as the detector on the test suite (its
 * weights need not be the detector's: e.g. a norm does not see the scale of its input) —
 * and the minimality certificate shows each of the eight links necessary. No cuts: the run stops at the detector's size.
 */
export function handcraftedExampleOverrides(): Record<string, unknown> {
  const start = defaultSchedule(EXAMPLE_SEED).start;
  if (start.kind !== 'generate') throw new Error('the default schedule no longer starts from a generated architecture');
  return {
    seed: EXAMPLE_SEED,
    start: { kind: 'repair', architecture: start.architecture, remove: [], perturb: EXAMPLE_PERTURB, embed: 'circuit' },
    dense: { steps: 500, until: 1e-7, l1: 0, lrDecay: false },
    // already at the detector's size: no cut is tried, and no polish restarts the optimiser
    // (either would kick the loss back up from where training brought it)
    rounds: { fineBelow: 0 },
    stop: { targetLinks: 8, stepBudget: 600 },
    polish: { steps: 0, lr: 0.005, l1: 0 },
    regrow: { max: 0 },
    // its certificate shows each of the eight links necessary (100 retraining steps per move: seconds)
    certificate: { steps: 100 },
    restarts: { max: 0 },
  };
}

/** Hashes the page starts with when no screen was asked for (Electron: none; the browser host: #/runs after the token). */
const START_HASHES = new Set(['', '#', '#/', '#/runs']);

/** Why the welcome screen did not open by itself. */
export type FirstRunSkip = 'screen' | 'dismissed' | 'runs' | 'unreachable' | 'moved';

/** An element whose data attributes carry the outcome (the page's root element). */
export interface FirstRunMarker {
  readonly dataset: Record<string, string | undefined>;
}

/**
 * At start: when the page opened on no particular screen and the lab is new, switch to the
 * welcome screen — unless the person has gone elsewhere while the lab was being asked.
 * When decided, `marker` (the page's root element) says so: `data-first-run` is `shown` or
 * `skipped`, and `data-first-run-reason` why it was skipped (`screen`: the page opened on
 * another screen, `dismissed`, `runs`: the lab has runs, `unreachable`: the lab did not
 * answer, `moved`: the person went elsewhere meanwhile) — what tests wait for.
 */
export async function openWelcomeOnFirstStart(
  client: Pick<ApiClient, 'runs.list'>,
  storage: Storage,
  loc: Pick<Location, 'hash'>,
  marker: FirstRunMarker | undefined = typeof document === 'undefined' ? undefined : document.documentElement,
): Promise<boolean> {
  const skipped = (reason: FirstRunSkip): false => {
    if (marker) {
      marker.dataset['firstRunReason'] = reason;
      marker.dataset['firstRun'] = 'skipped';
    }
    return false;
  };
  const initial = loc.hash;
  if (!START_HASHES.has(initial)) return skipped('screen');
  if (isWelcomeDismissed(storage)) return skipped('dismissed');
  let show: boolean;
  try {
    show = await shouldShowWelcome(client, storage);
  } catch {
    return skipped('unreachable'); // the run browser shows the connection problem
  }
  if (!show) return skipped(isWelcomeDismissed(storage) ? 'dismissed' : 'runs');
  if (loc.hash !== initial) return skipped('moved');
  loc.hash = '#/welcome';
  if (marker) marker.dataset['firstRun'] = 'shown';
  return true;
}
