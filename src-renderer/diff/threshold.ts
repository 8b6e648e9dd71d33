/**
 * The stops of the |w| threshold slider: 0 (every link), then the distinct |w| of both
 * circuits' soft links in increasing order (at most `most`, evenly spread), so each stop
 * hides at least one more link and the last hides all but none — one slider for both sides.
 */
import { matrixLinks } from '@shared/machine/spec';
import type { DiffModel } from './diff-model';

export function thresholdSteps(model: Pick<DiffModel, 'a' | 'b'>, most = 200): number[] {
  const values = new Set<number>();
  for (const spec of [model.a, model.b]) {
    for (const l of matrixLinks(spec.trainable)) {
      const w = Math.abs(l.weight);
      if (Number.isFinite(w) && w > 0) values.add(w);
    }
  }
  const sorted = [...values].sort((x, y) => x - y);
  // the largest |w| would hide everything: stop just below it
  sorted.pop();
  if (sorted.length <= most - 1) return [0, ...sorted];
  const picked: number[] = [];
  for (let k = 0; k < most - 1; k++) picked.push(sorted[Math.round((k * (sorted.length - 1)) / (most - 2))] as number);
  return [0, ...new Set(picked)];
}
