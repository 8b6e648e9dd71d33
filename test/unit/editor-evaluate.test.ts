/** "Evaluate" in the editor: the loss against the built-in hand-crafted detector, string by string. */
import { describe, expect, it } from 'vitest';
import { evaluateDocument, EVALUATION_STRINGS } from '@shared/editor/evaluate';
import { generateHandcrafted, generateLayered } from '@shared/editor/generators';
import { DEFAULT_TRAINING_SET } from '@shared/synthesis/dataset';

describe('evaluateDocument', () => {
  it('the built-in detector itself fits exactly on every string', () => {
    const r = evaluateDocument(generateHandcrafted());
    expect(r.strings.map((s) => s.text)).toEqual(EVALUATION_STRINGS.map((s) => s.text));
    expect(r.strings.every((s) => s.preregLoss === 0 && s.worstError === 0)).toBe(true);
    expect(r.total).toBe(0);
    expect(r.softLinks).toBe(8);
  });

  it('a random 1486-link machine does not, and the total is the sum of the strings', () => {
    const r = evaluateDocument(generateLayered(), DEFAULT_TRAINING_SET);
    expect(r.softLinks).toBe(1486);
    expect(r.total).toBeGreaterThan(1);
    expect(r.total).toBeCloseTo(
      r.strings.reduce((a, s) => a + s.preregLoss, 0),
      9,
    );
    expect(r.worst).toBe(Math.max(...r.strings.map((s) => s.worstError)));
  });

  it('needs at least one string', () => {
    expect(() => evaluateDocument(generateHandcrafted(), [])).toThrow(/no strings/);
  });
});
