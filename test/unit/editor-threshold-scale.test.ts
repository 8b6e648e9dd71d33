/** The editor's |w| threshold slider: logarithmic from the smallest to the largest |w|. */
import { describe, expect, it } from 'vitest';
import { sliderToThreshold, thresholdScale, thresholdToSlider, THRESHOLD_STEPS } from '../../src-renderer/editor/threshold-scale';

describe('threshold scale', () => {
  const scale = thresholdScale([0, -1e-4, 0.5, 10, NaN, Infinity, -3]);

  it('runs from the smallest non-zero to the largest finite |w|', () => {
    expect(scale).toEqual({ min: 1e-4, max: 10 });
    expect(thresholdScale([0, NaN])).toBeUndefined();
  });

  it('position 0 is no threshold, 1 the smallest |w|, the last the largest, the middle their geometric mean', () => {
    expect(sliderToThreshold(0, scale)).toBe(0);
    expect(sliderToThreshold(1, scale)).toBe(1e-4);
    expect(sliderToThreshold(THRESHOLD_STEPS, scale)).toBe(10);
    const mid = sliderToThreshold(1 + (THRESHOLD_STEPS - 1) / 2, scale);
    expect(mid).toBeCloseTo(Math.sqrt(1e-4 * 10), 6);
    // each decade gets the same share of the slider (5 decades here)
    const decade = (THRESHOLD_STEPS - 1) / 5;
    expect(sliderToThreshold(1 + decade, scale)).toBeCloseTo(1e-3, 9);
  });

  it('maps ε back to the nearest position', () => {
    for (const p of [0, 1, 137, 500, 1000, THRESHOLD_STEPS]) expect(thresholdToSlider(sliderToThreshold(p, scale), scale)).toBe(p);
    expect(thresholdToSlider(1e-9, scale)).toBe(1);
    expect(thresholdToSlider(1e9, scale)).toBe(THRESHOLD_STEPS);
    expect(thresholdToSlider(0.3, undefined)).toBe(0);
  });

  it('one weight: every position above 0 is that weight', () => {
    const one = thresholdScale([2]);
    expect(sliderToThreshold(1, one)).toBe(2);
    expect(sliderToThreshold(500, one)).toBe(2);
  });
});
