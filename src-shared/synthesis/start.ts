/**
 * Starting points of synthesis, in the frame of the run's problem: a seeded random
 * initialisation of a generated architecture, an imported matrix, the teacher's neurons
 * with a set of candidate links at random weights, or the repair experiment (the
 * hand-crafted duplicate detector embedded in a generated architecture, broken and
 * perturbed).
 */
import { prototypeMatrixSpec } from '../io/prototype-matrix';
import { NEURON_TYPES } from '../machine/neuron-types';
import { compareLinks, linkLabel, linksToMatrix, matrixLinks, type Link, type MachineSpec } from '../machine/spec';
import { builtinProblem, DUPLICATES } from '../problems/builtin/index';
import { generateArchitecture, type ArchitectureOptions } from '../problems/duplicates/architecture';
import { handcraftedDetector } from '../problems/duplicates/handcrafted';
import { frameHardLinks } from '../problems/frame';
import { teacherSpec, type Problem } from '../problems/problem';
import { frameOf } from '../problems/problem-frame';
import { Rng } from '../util/rng';
import { circuitFromSpec, keepLinks, linkKey, sortedLinks, type Circuit } from './circuit';
import type { ArchitectureSchema, RecurrentStartSchema, StartPoint } from './schedule';
import type { z } from 'zod';
import type { ArchitectureFrame } from '../problems/frame';

type ArchitectureSchemaOutput = z.infer<typeof ArchitectureSchema>;
export type RecurrentStart = z.infer<typeof RecurrentStartSchema>;

/**
 * The fully connected recurrent machine of a recurrent start (one layer of `copies` of each
 * type, every soft input linked to every output, itself included), seeded. With a soft
 * accumulator loop, each accumulator's self-link `dict-1 ← dict` leaves the fixed links
 * and becomes a trainable link starting at weight 1.
 */
export function recurrentSpec(r: RecurrentStart, seed: number, frame: ArchitectureFrame): MachineSpec {
  const spec = generateArchitecture(
    { layers: 1, copies: r.copies, types: r.types, skip: true, scale: r.scale, seed, recurrent: true, pushDepth: r.pushDepth },
    frame,
  );
  if (r.accumLoop === 'hard') return spec;
  const accums = new Set(spec.neurons.filter((n) => n.type === 'accum').map((n) => n.name));
  const isLoop = (l: Link) => l.to === l.from && l.toPort === 'dict-1' && l.fromPort === 'dict' && accums.has(l.to);
  const fixed = matrixLinks(spec.fixed);
  const loops = fixed.filter(isLoop);
  return {
    ...spec,
    fixed: linksToMatrix(fixed.filter((l) => !isLoop(l))),
    trainable: linksToMatrix([...matrixLinks(spec.trainable), ...loops.map((l) => ({ ...l, weight: 1 }))]),
  };
}

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
export function regrowPool(start: StartPoint, circuit: Circuit, seed: number, problem: Problem = defaultProblem()): Link[] {
  const architecture =
    start.kind === 'matrix' ? start.architecture : start.kind === 'repair' && start.embed === 'circuit' ? start.architecture : undefined;
  if (!architecture) return circuit.links.slice();
  const extra = matrixLinks(generateArchitecture({ ...architecture, seed }, frameOf(problem)).trainable);
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

/** The problem a run without one solves: the duplicate detector. */
export function defaultProblem(): Problem {
  return builtinProblem(DUPLICATES) as Problem;
}

/** The teacher's neurons and hard links with `links` as soft links at scale·N(0,1) (seeded, in the given order). */
export function candidateLinksSpec(problem: Problem, links: readonly Link[], scale: number, seed: number): MachineSpec {
  const teacher = teacherSpec(problem);
  const types = new Map(teacher.neurons.map((n) => [n.name, n.type]));
  links.forEach((l, i) => {
    const to = types.get(l.to);
    const from = types.get(l.from);
    const where = `start.links.${i} (${linkLabel(l)})`;
    if (to === undefined) throw new RangeError(`${where}: the teacher of ${problem.name} has no neuron "${l.to}"`);
    if (from === undefined) throw new RangeError(`${where}: the teacher of ${problem.name} has no neuron "${l.from}"`);
    if (!NEURON_TYPES.get(to)?.inputs.includes(l.toPort))
      throw new RangeError(`${where}: ${to} neuron "${l.to}" has no input port "${l.toPort}"`);
    if (!NEURON_TYPES.get(from)?.outputs.includes(l.fromPort)) {
      throw new RangeError(`${where}: ${from} neuron "${l.from}" has no output port "${l.fromPort}"`);
    }
  });
  const rng = new Rng(seed);
  return { ...teacher, trainable: linksToMatrix(links.map((l) => ({ ...l, weight: scale * rng.normal() }))) };
}

export function startCircuit(start: StartPoint, seed: number, problem: Problem = defaultProblem()): Circuit {
  switch (start.kind) {
    case 'generate':
      if (start.topology === 'recurrent') return circuitFromSpec(recurrentSpec(start.recurrent as RecurrentStart, seed, frameOf(problem)));
      return circuitFromSpec(generateArchitecture({ ...(start.architecture as ArchitectureSchemaOutput), seed }, frameOf(problem)));
    case 'links':
      return circuitFromSpec(candidateLinksSpec(problem, start.links, start.scale, seed));
    case 'matrix': {
      const frame = frameOf(problem);
      const spec = prototypeMatrixSpec(start.matrix, problem.name === DUPLICATES ? undefined : frame, problem.search.pushDepth);
      if (!start.architecture) return circuitFromSpec(spec);
      // the architecture's neurons too, so that regrown links have somewhere to go
      const arch = generateArchitecture({ ...start.architecture, seed }, frame);
      const names = new Set(spec.neurons.map((n) => n.name));
      const neurons = [...spec.neurons, ...arch.neurons.filter((n) => !names.has(n.name))];
      return circuitFromSpec({ neurons, fixed: linksToMatrix(frameHardLinks(frame, neurons)), trainable: spec.trainable });
    }
    case 'repair': {
      if (problem.name !== DUPLICATES) {
        throw new RangeError(
          `a repair start embeds the hand-crafted duplicate detector; problem "${problem.name}" has its own teacher (start from "generate", "links" or "matrix")`,
        );
      }
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
