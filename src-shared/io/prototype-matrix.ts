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
import { linksToMatrix, matrixLinks, type MachineSpec, type Matrix, type NeuronSpec } from '../machine/spec';
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
 * The machine of a prototype matrix given as a JavaScript value (validated like a file),
 * in the duplicate detector's frame unless another is given (see the module comment).
 */
export function prototypeMatrixSpec(data: unknown, frame?: ArchitectureFrame, pushDepth?: number): MachineSpec {
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
  for (const [path] of leaves(m)) {
    if (path.length !== 4) {
      throw new VValueError(
        formatPath(path),
        `a weight must sit at depth 4 (toNeuron → toPort → fromNeuron → fromPort), found one at depth ${path.length}`,
      );
    }
    const [to, toPort, from, fromPort] = path as [string, string, string, string];
    const toType = typeOf(to, [to]);
    if (!neuronType(toType).inputs.includes(toPort)) {
      throw new VValueError(formatPath([to, toPort]), `${toType} neuron "${to}" has no input port "${toPort}"`);
    }
    const fromType = typeOf(from, [to, toPort, from]);
    if (!neuronType(fromType).outputs.includes(fromPort)) {
      throw new VValueError(formatPath(path), `${fromType} neuron "${from}" has no output port "${fromPort}"`);
    }
  }
  const f = frame ?? duplicatesFrame();
  const neurons: NeuronSpec[] = [...f.base];
  const known = new Set(neurons.map((n) => n.name));
  for (const [name, type] of [...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (known.has(name)) continue;
    const teacher = frame?.named.get(name);
    neurons.push(teacher ?? (type === 'push' ? { name, type, params: { depth: pushDepth as number } } : { name, type }));
  }
  return { neurons, fixed: linksToMatrix(frameHardLinks(f, neurons)), trainable: m };
}

/** The prototype file text of a trainable matrix (stable: sorted keys, Julia-style numbers). */
export function exportPrototypeMatrix(trainable: Matrix): string {
  // rebuild from links so that only depth-4 weights are written
  return stringifyVValue(linksToMatrix(matrixLinks(trainable)), '  ') + '\n';
}
