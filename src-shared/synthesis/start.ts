/**
 * Starting points of synthesis: a seeded random initialisation of a generated
 * architecture, an imported matrix, or the repair experiment (the hand-crafted detector
 * embedded in a generated architecture, broken and perturbed).
 */
import { prototypeMatrixSpec } from '../io/prototype-matrix';
import { compareLinks, linkLabel, linksToMatrix, matrixLinks, type Link, type MachineSpec } from '../machine/spec';
import { generateArchitecture, type ArchitectureOptions } from '../problems/duplicates/architecture';
import { hardLinks } from '../problems/duplicates/base';
import { handcraftedDetector } from '../problems/duplicates/handcrafted';
import { Rng } from '../util/rng';
import { circuitFromSpec, keepLinks, linkKey, sortedLinks, type Circuit } from './circuit';
import type { StartPoint } from './schedule';

/** Where the hand-crafted detector's interneurons sit in a generated architecture (same link delays). */
export const HANDCRAFTED_EMBEDDING: Readonly<Record<string, string>> = {
  accum: 'accum-1-1',
  norm: 'norm-2-1',
  compare: 'compare-3-1',
  dot: 'dot-2-1',
};

/** Stream numbers for the seeded generators of a run, so each use draws its own numbers. */
export const STREAM = { repair: 1, es: 2, regrow: 3, restart: 4 } as const;

const sameLink = (a: Link, b: Link) => compareLinks(a, b) === 0;

/**
 * The soft links regrowing may bring back: those the run starts with, plus, for a matrix
 * read as a pruned state of an architecture, that architecture's links.
 */
export function regrowPool(start: StartPoint, circuit: Circuit, seed: number): Link[] {
  const architecture =
    start.kind === 'matrix' ? start.architecture : start.kind === 'repair' && start.embed === 'circuit' ? start.architecture : undefined;
  if (!architecture) return circuit.links.slice();
  const extra = matrixLinks(generateArchitecture({ ...architecture, seed }).trainable);
  const have = new Set(circuit.links.map(linkKey));
  return sortedLinks(
    [...circuit.links, ...extra.filter((l) => !have.has(linkKey(l)))].map(({ to, toPort, from, fromPort }) => ({
      to,
      toPort,
      from,
      fromPort,
    })),
  );
}

export function startCircuit(start: StartPoint, seed: number): Circuit {
  switch (start.kind) {
    case 'generate':
      return circuitFromSpec(generateArchitecture({ ...start.architecture, seed }));
    case 'matrix': {
      const spec = prototypeMatrixSpec(start.matrix);
      if (!start.architecture) return circuitFromSpec(spec);
      // the architecture's neurons too, so that regrown links have somewhere to go
      const arch = generateArchitecture({ ...start.architecture, seed });
      const names = new Set(spec.neurons.map((n) => n.name));
      const neurons = [...spec.neurons, ...arch.neurons.filter((n) => !names.has(n.name))];
      return circuitFromSpec({ neurons, fixed: linksToMatrix(hardLinks(neurons)), trainable: spec.trainable });
    }
    case 'repair': {
      const spec = brokenDetector(start.architecture, start.remove, start.perturb, seed);
      if (start.embed === 'architecture') return circuitFromSpec(spec);
      const carriers = new Set(detectorLinks().map(linkKey));
      const full = circuitFromSpec(spec);
      const keep = full.links.flatMap((l, i) => (carriers.has(linkKey(l)) && !isRemoved(l, start.remove) ? [i] : []));
      return keepLinks(full, keep);
    }
  }
}

/** A link of the hand-crafted detector, renamed onto the architecture that carries it. */
function embedded(l: Link): Link {
  const rename = (n: string) => HANDCRAFTED_EMBEDDING[n] ?? n;
  return { to: rename(l.to), toPort: l.toPort, from: rename(l.from), fromPort: l.fromPort };
}

/** The hand-crafted detector's soft links, renamed onto the architecture that carries it. */
function detectorLinks(): Link[] {
  return matrixLinks(handcraftedDetector().trainable).map(embedded);
}

function isRemoved(l: Link, remove: readonly Link[]): boolean {
  return remove.some((r) => sameLink(l, embedded(r)));
}

/**
 * The repair experiment's start: a generated architecture (seeded) whose links that
 * carry the hand-crafted detector get its weights, scaled by 1 ± perturb with random
 * signs, except the `remove`d ones (named as in the hand-crafted detector), which keep
 * their small random initial weight.
 */
export function brokenDetector(
  architecture: Omit<ArchitectureOptions, 'seed'>,
  remove: readonly Link[],
  perturb: number,
  seed: number,
): MachineSpec {
  const spec = generateArchitecture({ ...architecture, seed });
  const hc = matrixLinks(handcraftedDetector().trainable);
  for (const r of remove) {
    if (!hc.some((l) => sameLink(l, r))) throw new RangeError(`the hand-crafted detector has no link ${linkLabel(r)}`);
  }
  const rng = new Rng(seed, STREAM.repair);
  const links = matrixLinks(spec.trainable);
  for (const l of hc) {
    const sign = rng.next() < 0.5 ? -1 : 1; // drawn for every link, so removing one does not shift the others
    if (remove.some((r) => sameLink(l, r))) continue;
    const target = embedded(l);
    const i = links.findIndex((x) => sameLink(x, target));
    if (i < 0) throw new RangeError(`the architecture has no link ${linkLabel(target)} to carry the hand-crafted detector`);
    links[i] = { ...target, weight: l.weight * (1 + sign * perturb) };
  }
  return { ...spec, trainable: linksToMatrix(links) };
}
