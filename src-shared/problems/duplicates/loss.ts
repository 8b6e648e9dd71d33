/**
 * The loss of spec §5: run the trainable machine beside the hand-crafted detector on a
 * string for T cycles, add after each cycle the squared differences of the two output
 * scalars, then λ1·Σ|w| + λ2·Σw² over the soft links outside the timer and input rows.
 *
 * It is the problem loss (src-shared/problems/loss.ts) with the duplicate detector's task:
 * the hand-crafted detector as teacher, characters as input, output.dict-1 and
 * output.dict-2 compared as scalars.
 */
import type { EngineName } from '../../machine/engine-choice';
import type { MachineSpec } from '../../machine/spec';
import { CompiledLoss, type LossSettings } from '../loss';
import { TeacherTargets, type Task } from '../targets';
import { OUTPUT_NEURON, OUTPUT_PORTS } from './base';
import { handcraftedDetector } from './handcrafted';

export { checkLossSettings, type LossReport, type LossSettings } from '../loss';

export const TRAINING_STRING = 'test string.';

export const DEFAULT_LOSS: LossSettings = { cycles: 140, l1: 0.001, l2: 0, gradients: 'exact' };

/** The duplicate detector's task: teacher, driving input, compared outputs. */
export function duplicatesTask(): Task {
  return {
    teacher: handcraftedDetector(),
    mode: 'characters',
    outputs: OUTPUT_PORTS.map((port) => ({ neuron: OUTPUT_NEURON, port, compare: 'scalar' as const, under: [] })),
  };
}

function alphabetOf(strings: Iterable<string>): string[] {
  const set = new Set<string>(['.']);
  for (const s of strings) for (const c of s) set.add(c);
  return [...set];
}

/** The two target scalars per cycle of the hand-crafted detector, cached per string and length. */
export class TargetCache extends TeacherTargets {
  constructor() {
    super(duplicatesTask());
  }
}

/**
 * Loss and exact gradient of one machine structure against the hand-crafted detector, for
 * any weights and strings; on the fast engine unless `engine` is `compiled` or the machine is
 * outside what the fast engine runs (`fastUnsupported` then says why).
 */
export class DetectorLoss extends CompiledLoss {
  /** `strings`: every string this evaluator will see (they fix the alphabet). */
  constructor(spec: MachineSpec, strings: Iterable<string>, targets: TeacherTargets = new TargetCache(), engine?: EngineName) {
    super(spec, targets.task, alphabetOf(strings), targets, engine);
  }
}
