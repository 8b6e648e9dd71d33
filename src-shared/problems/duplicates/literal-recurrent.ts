/**
 * The 2022 prototype's fully connected recurrent matrix in its literal form, rebuilt from
 * its description (the file itself is not among the bundled fixtures): `copies` of each of
 * accum, norm, compare, dot named `<type>-1-<k>`, each carrying all 7 interneuron field
 * names (`dict-1`, `dict-2`, `dict`, `norm`, `dot`, `true`, `false`) as inputs and as
 * outputs; every such input field and the output's `dict-1`, `dict-2` linked from every
 * interneuron field and from `input.char`, `eos.char`, `const_1.const_1`; plus the timer
 * rows `timer.timer ← timer.timer` and `input.timer ← timer.timer` at weight 1. With 5
 * copies: (20·7 + 2)·(20·7 + 3) + 2 = 20 308 weights. Weights scale·N(0,1), seeded.
 */
import type { Matrix } from '../../machine/spec';
import { linksToMatrix, type WeightedLink } from '../../machine/spec';
import { Rng } from '../../util/rng';
import { INITIAL_OUTPUTS, OUTPUT_NEURON, OUTPUT_PORTS } from './base';

/** The interneuron field names of the 2022 prototype. */
export const PROTOTYPE_FIELDS: readonly string[] = ['dict-1', 'dict-2', 'dict', 'norm', 'dot', 'true', 'false'];

export function literalRecurrentMatrix(o: { copies?: number; scale?: number; seed?: number } = {}): Matrix {
  const copies = o.copies ?? 5;
  const scale = o.scale ?? 0.01;
  const rng = new Rng(o.seed ?? 1);
  const inters: string[] = [];
  for (let k = 1; k <= copies; k++) for (const t of ['accum', 'norm', 'compare', 'dot']) inters.push(`${t}-1-${k}`);
  const sources: Array<readonly [string, string]> = [...INITIAL_OUTPUTS];
  for (const n of inters) for (const f of PROTOTYPE_FIELDS) sources.push([n, f]);
  const targets: Array<readonly [string, string]> = [];
  for (const n of inters) for (const f of PROTOTYPE_FIELDS) targets.push([n, f]);
  for (const p of OUTPUT_PORTS) targets.push([OUTPUT_NEURON, p]);
  const links: WeightedLink[] = [
    { to: 'timer', toPort: 'timer', from: 'timer', fromPort: 'timer', weight: 1 },
    { to: 'input', toPort: 'timer', from: 'timer', fromPort: 'timer', weight: 1 },
  ];
  for (const [to, toPort] of targets) {
    for (const [from, fromPort] of sources) links.push({ to, toPort, from, fromPort, weight: scale * rng.normal() });
  }
  return linksToMatrix(links);
}
