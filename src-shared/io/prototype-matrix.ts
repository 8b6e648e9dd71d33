/**
 * The matrix files of the 2022 Julia prototype (spec §7): one trainable rank-4 matrix
 * `{toNeuron: {toPort: {fromNeuron: {fromPort: weight}}}}`. The neuron set is inferred from
 * the names (`accum-3-1` is an accum, `const_1` is const_1, …) and the hard links are the
 * ones every duplicate-detector machine has.
 *
 * For another problem, its frame supplies the rest: the teacher's neurons may be named
 * (with their parameters), generated names may use every layer type (`mult-2-1`; a
 * `push-…` gets the frame's depth cap), and the hard links are the frame's.
 */
import { LAYER_TYPES, neuronType, NEURON_TYPES } from '../machine/neuron-types';
import { linksToMatrix, matrixLinks, type Link, type MachineSpec, type Matrix, type NeuronSpec, type WeightedLink } from '../machine/spec';
import { frameHardLinks, type ArchitectureFrame } from '../problems/frame';
import { duplicatesFrame } from '../problems/duplicates/frame';
import { formatPath, parseVValue, parseVValueJson, VValueError } from '../vvalue/parse';
import type { CheckedJsonOptions } from './checked-json';
import { stringifyVValue } from '../vvalue/serialize';
import { leaves } from '../vvalue/vvalue';

/** Types a prototype file can name: those that need no parameters and are not `Self`. */
const PROTOTYPE_TYPES = new Set(['accum', 'norm', 'dot', 'compare', 'const_1', 'eos', 'timer', 'input', 'output']);

/** The neuron type a prototype name denotes (`dot-2-1` → `dot`), or undefined. */
export function inferNeuronType(name: string): string | undefined {
  if (PROTOTYPE_TYPES.has(name)) return name;
  const dash = name.indexOf('-');
  if (dash <= 0 || dash === name.length - 1) return undefined;
  const prefix = name.slice(0, dash);
  return PROTOTYPE_TYPES.has(prefix) && NEURON_TYPES.get(prefix)?.interneuron ? prefix : undefined;
}

/**
 * Parses a prototype matrix file (text, or its bytes: then they must be UTF-8). Anything that
 * is not such a matrix (bad JSON, a key given twice, bytes that are not UTF-8, a file over the
 * size limit — 64 MiB unless `limits` says otherwise — a non-numeric or non-finite leaf, a
 * weight at the wrong depth, an unknown neuron type prefix, a port the type does not have,
 * absurd nesting) throws a VValueError naming the path.
 */
export function importPrototypeMatrix(
  text: string | Uint8Array,
  source = 'matrix file',
  limits: Omit<CheckedJsonOptions, 'source'> = {},
): MachineSpec {
  return prototypeMatrixSpec(parseVValueJson(text, source, limits));
}

/** A generated layer neuron's type from its name `<type>-<layer>-<copy>` (any layer type), or undefined. */
function layerType(name: string): string | undefined {
  const m = /^([a-z_]+)-\d+-\d+$/.exec(name);
  return m && LAYER_TYPES.includes(m[1] as string) ? m[1] : undefined;
}

/**
 * The port names of the 2022 prototype's neuron types. Its fully connected recurrent matrix
 * names every one of the interneuron fields on every interneuron (`norm-1-1.dict-2 ←
 * dot-1-3.true`): a link to or from such a name that this neuron's type lacks can carry
 * nothing, so it is ignored (and reported); any other unknown port, and any port of a
 * neuron that is not an interneuron, is refused.
 */
const PROTOTYPE_PORTS: ReadonlySet<string> = new Set(
  [...PROTOTYPE_TYPES].flatMap((t) => [...(NEURON_TYPES.get(t)?.inputs ?? []), ...(NEURON_TYPES.get(t)?.outputs ?? [])]),
);

/** A link of a matrix file that the machine does not use, and why. */
export interface IgnoredLink {
  readonly link: Link;
  readonly weight: number;
  readonly reason: string;
}

/**
 * The machine of a prototype matrix given as a JavaScript value (validated like a file),
 * in the duplicate detector's frame unless another is given (see the module comment).
 */
export function prototypeMatrixSpec(data: unknown, frame?: ArchitectureFrame, pushDepth?: number): MachineSpec {
  return readPrototypeMatrix(data, frame, pushDepth).spec;
}

/**
 * The machine of a prototype matrix and the links it ignores: links to or from a port of
 * the prototype that the neuron's type does not have (the literal form of the 2022
 * recurrent matrix), and soft copies of fixed links (the timer rows `timer.timer ←
 * timer.timer`, `input.timer ← timer.timer`). A matrix that names an accumulator's
 * self-link `dict-1 ← dict` makes that loop a soft link (its fixed link is left out), as
 * in the 2022 recurrent prototype.
 */
export function readPrototypeMatrix(
  data: unknown,
  frame?: ArchitectureFrame,
  pushDepth?: number,
): { spec: MachineSpec; ignored: IgnoredLink[] } {
  const m = parseVValue(data);
  const types = new Map<string, string>();
  const typeOf = (name: string, at: readonly string[]): string => {
    let t = types.get(name);
    if (t === undefined) {
      t = frame ? (frame.named.get(name)?.type ?? layerType(name)) : inferNeuronType(name);
      if (t === undefined) {
        throw new VValueError(
          formatPath(at),
          frame
            ? `"${name}" is neither a neuron of the problem's teacher (${[...frame.named.keys()].join(', ')}) nor a generated <type>-<layer>-<copy>`
            : `unknown neuron type prefix in "${name}" (expected one of ${[...PROTOTYPE_TYPES].join(', ')}, or <type>-<layer>-<copy>)`,
        );
      }
      if (t === 'push' && !frame?.named.has(name) && pushDepth === undefined) {
        throw new VValueError(
          formatPath(at),
          `"${name}" is a push neuron, and the problem declares no depth cap for generated push neurons`,
        );
      }
      types.set(name, t);
    }
    return t;
  };
  const ignored: IgnoredLink[] = [];
  const kept: WeightedLink[] = [];
  for (const [path, leaf] of leaves(m)) {
    if (path.length !== 4) {
      throw new VValueError(
        formatPath(path),
        `a weight must sit at depth 4 (toNeuron → toPort → fromNeuron → fromPort), found one at depth ${path.length}`,
      );
    }
    const [to, toPort, from, fromPort] = path as [string, string, string, string];
    const link = { to, toPort, from, fromPort };
    const weight = leaf;
    const toType = typeOf(to, [to]);
    if (!neuronType(toType).inputs.includes(toPort)) {
      if (!PROTOTYPE_PORTS.has(toPort) || !neuronType(toType).interneuron) {
        throw new VValueError(formatPath([to, toPort]), `${toType} neuron "${to}" has no input port "${toPort}"`);
      }
      typeOf(from, [to, toPort, from]);
      ignored.push({ link, weight, reason: `${toType} has no input port "${toPort}"` });
      continue;
    }
    const fromType = typeOf(from, [to, toPort, from]);
    if (!neuronType(fromType).outputs.includes(fromPort)) {
      if (!PROTOTYPE_PORTS.has(fromPort) || !neuronType(fromType).interneuron) {
        throw new VValueError(formatPath(path), `${fromType} neuron "${from}" has no output port "${fromPort}"`);
      }
      ignored.push({ link, weight, reason: `${fromType} has no output port "${fromPort}"` });
      continue;
    }
    kept.push({ ...link, weight });
  }
  const f = frame ?? duplicatesFrame();
  const neurons: NeuronSpec[] = [...f.base];
  const known = new Set(neurons.map((n) => n.name));
  for (const [name, type] of [...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (known.has(name)) continue;
    const teacher = frame?.named.get(name);
    neurons.push(teacher ?? (type === 'push' ? { name, type, params: { depth: pushDepth as number } } : { name, type }));
  }
  const key = (l: Link) => `${l.to}\u0000${l.toPort}\u0000${l.from}\u0000${l.fromPort}`;
  const named = new Set(kept.map(key));
  // an accumulator loop the file names is soft: its fixed link is left out
  const isSoftLoop = (l: Link) =>
    l.to === l.from && types.get(l.to) === 'accum' && l.toPort === 'dict-1' && l.fromPort === 'dict' && named.has(key(l));
  const hard = frameHardLinks(f, neurons).filter((l) => !isSoftLoop(l));
  const hardKeys = new Set(hard.map(key));
  const trainable: WeightedLink[] = [];
  for (const l of kept) {
    if (hardKeys.has(key(l)))
      ignored.push({
        link: { to: l.to, toPort: l.toPort, from: l.from, fromPort: l.fromPort },
        weight: l.weight,
        reason: 'a fixed link of the machine',
      });
    else trainable.push(l);
  }
  if (ignored.length === 0) return { spec: { neurons, fixed: linksToMatrix(hard), trainable: m }, ignored };
  return { spec: { neurons, fixed: linksToMatrix(hard), trainable: linksToMatrix(trainable) }, ignored };
}

/** The prototype file text of a trainable matrix (stable: sorted keys, Julia-style numbers). */
export function exportPrototypeMatrix(trainable: Matrix): string {
  // rebuild from links so that only depth-4 weights are written
  return stringifyVValue(linksToMatrix(matrixLinks(trainable)), '  ') + '\n';
}
