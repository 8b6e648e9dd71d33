/**
 * The |w| threshold slider's scale: logarithmic from the smallest to the largest non-zero
 * |w| of the document, so weights spread over many orders of magnitude (1e-5 … 10) each get
 * their share of the slider. Position 0 is "no threshold" (ε = 0, every link shown);
 * positions 1 … STEPS run from ε = smallest |w| (nothing hidden yet) to ε = largest |w|
 * (only the largest links stay).
 */
export const THRESHOLD_STEPS = 1001;

export interface ThresholdScale {
  /** Smallest non-zero finite |w|. */
  readonly min: number;
  /** Largest finite |w|. */
  readonly max: number;
}

/** The scale of a set of weights; undefined when none is a non-zero finite number. */
export function thresholdScale(weights: Iterable<number>): ThresholdScale | undefined {
  let min = Infinity;
  let max = 0;
  for (const w of weights) {
    const a = Math.abs(w);
    if (!Number.isFinite(a) || a === 0) continue;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  return max > 0 ? { min, max } : undefined;
}

/** ε at a slider position (0 … THRESHOLD_STEPS). */
export function sliderToThreshold(position: number, scale: ThresholdScale | undefined): number {
  if (!scale || !(position > 0)) return 0;
  const t = Math.min(1, (Math.round(position) - 1) / (THRESHOLD_STEPS - 1));
  if (t >= 1) return scale.max;
  if (t <= 0) return scale.min;
  return Math.exp(Math.log(scale.min) + t * (Math.log(scale.max) - Math.log(scale.min)));
}

/** The slider position that shows ε (the nearest one; ε beyond the scale sits at an end). */
export function thresholdToSlider(epsilon: number, scale: ThresholdScale | undefined): number {
  if (!scale || !(epsilon > 0)) return 0;
  if (epsilon <= scale.min) return 1;
  if (epsilon >= scale.max) return THRESHOLD_STEPS;
  const t = (Math.log(epsilon) - Math.log(scale.min)) / (Math.log(scale.max) - Math.log(scale.min));
  return 1 + Math.round(t * (THRESHOLD_STEPS - 1));
}
