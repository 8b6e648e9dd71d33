/**
 * The neuron-type registry: the one definition of every activation function (spec §3).
 *
 * Each type declares its ports, which coordinates its outputs can hold (so engines can
 * intern paths ahead of time), and a kernel: forward and its derivative (a vector-Jacobian
 * product) on dense slices over a PathLayout. Both engines use these kernels: the compiled
 * engine directly, the V-value interpreter by laying out each call's inputs on the fly.
 *
 * Conventions at the non-smooth points, chosen to equal the central difference there and
 * to be independent of path order: relu'(0) = ½, the clip of `dot` at exactly ±4 passes ½,
 * and a max-norm tie shares the gradient equally among the tied coordinates.
 */
import { PathLayout, ROOT } from '../vvalue/path-layout';
import { leaves, pathKey, type Path, type VValue } from '../vvalue/vvalue';

export type GradientMode = 'exact' | 'prototype';

/** How the `input` neuron reads its driving string: one character, or one word token, per period. */
export type InputMode = 'characters' | 'tokens';

/** What the environment supplies at run time. */
export interface NeuronEnv {
  /** The string the `input` neuron reads out (spec §4). */
  readonly inputString: string;
  /** Characters (the default) or word tokens (see drivingSymbols). */
  readonly inputMode?: InputMode;
}

/** What a type may use when it is instantiated. */
export interface NeuronContext {
  /** Parameters of this neuron instance (only `const` uses them). */
  readonly params?: VValue | undefined;
  /** Characters the `input` neuron may emit. */
  readonly alphabet: readonly string[];
}

/**
 * One neuron's kernel on dense slices. Input port `p` lives at `x[xOffset + p·D ..)`, output
 * port `q` at `y[yOffset + q·D ..)`, with D = layout.size (the coordinates of one port).
 * The gradients follow the same layout: `gy` (of the outputs) from `gyOffset`, `gx` (of the
 * inputs) from `gxOffset`.
 */
export interface Kernel {
  /** Overwrites every output slice. */
  forward(x: Float64Array, xOffset: number, y: Float64Array, yOffset: number, env: NeuronEnv): void;
  /** Adds Jᵀ·gy to gx (inputs `x` and outputs `y` are those of the forward call). */
  backward(
    x: Float64Array,
    xOffset: number,
    y: Float64Array,
    yOffset: number,
    gy: Float64Array,
    gyOffset: number,
    gx: Float64Array,
    gxOffset: number,
    mode: GradientMode,
  ): void;
}

export interface NeuronType {
  readonly name: string;
  readonly description: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Hard self-links every instance gets: [input port, output port]. */
  readonly selfLinks: ReadonlyArray<readonly [string, string]>;
  /**
   * True for the types synthesis places in layers (LAYER_TYPES): their outputs are zero
   * until something reaches their inputs. Sources, sinks, the timer and Self are not.
   */
  readonly interneuron: boolean;
  /** Coordinates each output port can hold, given those each input port can hold. */
  outputPaths(inputPaths: ReadonlyArray<readonly Path[]>, ctx: NeuronContext): Path[][];
  kernel(layout: PathLayout, ctx: NeuronContext): Kernel;
  /**
   * What is wrong with an instance's parameters, or undefined when they are fine (types
   * that take parameters check them here; the engines refuse an instance that fails).
   */
  paramsProblem?(params: VValue | undefined): string | undefined;
}

/** `dot` clips its result to [−DOT_CLIP, DOT_CLIP]. */
export const DOT_CLIP = 4;
/** The `input` neuron emits one character every INPUT_PERIOD cycles. */
export const INPUT_PERIOD = 10;
/** The character the `eos` neuron emits. */
export const END_OF_TEXT = '.';

const NONE: Kernel['backward'] = () => {};

function union(...sets: ReadonlyArray<readonly Path[]>): Path[] {
  const seen = new Map<string, Path>();
  for (const s of sets) for (const p of s) seen.set(pathKey(p), p);
  return [...seen.values()];
}

const scalarOut = (): Path[][] => [[ROOT]];

/** relu and its derivative with the ½ convention at 0. */
function reluGrad(d: number): number {
  return d > 0 ? 1 : d === 0 ? 0.5 : 0;
}

/** out = in₀ + in₁ on every coordinate; in prototype mode no gradient reaches in₀. */
function sumKernel(layout: PathLayout, stopFirst: boolean): Kernel {
  const D = layout.size;
  return {
    forward(x, xOffset, y, yOffset) {
      for (let k = 0; k < D; k++) y[yOffset + k] = (x[xOffset + k] as number) + (x[xOffset + D + k] as number);
    },
    backward(_x, xOffset, _y, _yo, gy, gyOffset, gx, gxOffset, mode) {
      const first = !(stopFirst && mode === 'prototype');
      for (let k = 0; k < D; k++) {
        const g = gy[gyOffset + k] as number;
        if (g === 0) continue;
        if (first) gx[gxOffset + k] = (gx[gxOffset + k] as number) + g;
        gx[gxOffset + D + k] = (gx[gxOffset + D + k] as number) + g;
      }
    },
  };
}

const accum: NeuronType = {
  name: 'accum',
  description: 'dict = dict-1 + dict-2. With its hard self-link dict-1 ← dict it accumulates everything that arrives at dict-2.',
  inputs: ['dict-1', 'dict-2'],
  outputs: ['dict'],
  selfLinks: [['dict-1', 'dict']],
  interneuron: true,
  outputPaths: (ins) => [union(ins[0] ?? [], ins[1] ?? [])],
  kernel: (layout) => sumKernel(layout, true),
};

const norm: NeuronType = {
  name: 'norm',
  description: 'norm = max(0, max_k |dict[k]|), the max-norm of its input.',
  inputs: ['dict'],
  outputs: ['norm'],
  selfLinks: [],
  interneuron: true,
  outputPaths: scalarOut,
  kernel(layout) {
    const D = layout.size;
    const r = layout.indexOf(ROOT);
    return {
      forward(x, xOffset, y, yOffset) {
        let m = 0;
        for (let k = 0; k < D; k++) {
          const a = Math.abs(x[xOffset + k] as number);
          if (a > m) m = a;
        }
        y.fill(0, yOffset, yOffset + D);
        y[yOffset + r] = m;
      },
      backward(x, xOffset, y, yOffset, gy, gyOffset, gx, gxOffset) {
        const g = gy[gyOffset + r] as number;
        const m = y[yOffset + r] as number;
        if (g === 0 || m === 0) return;
        let ties = 0;
        for (let k = 0; k < D; k++) if (Math.abs(x[xOffset + k] as number) === m) ties++;
        const share = g / ties;
        for (let k = 0; k < D; k++) {
          const v = x[xOffset + k] as number;
          if (Math.abs(v) === m) gx[gxOffset + k] = (gx[gxOffset + k] as number) + (v > 0 ? share : -share);
        }
      },
    };
  },
};

const dot: NeuronType = {
  name: 'dot',
  description: `dot = clip(Σ_k dict-1[k]·dict-2[k], −${DOT_CLIP}, ${DOT_CLIP}).`,
  inputs: ['dict-1', 'dict-2'],
  outputs: ['dot'],
  selfLinks: [],
  interneuron: true,
  outputPaths: scalarOut,
  kernel(layout) {
    const D = layout.size;
    const r = layout.indexOf(ROOT);
    return {
      forward(x, xOffset, y, yOffset) {
        let s = 0;
        for (let k = 0; k < D; k++) s += (x[xOffset + k] as number) * (x[xOffset + D + k] as number);
        y.fill(0, yOffset, yOffset + D);
        y[yOffset + r] = s > DOT_CLIP ? DOT_CLIP : s < -DOT_CLIP ? -DOT_CLIP : s;
      },
      backward(x, xOffset, _y, _yo, gy, gyOffset, gx, gxOffset) {
        let g = gy[gyOffset + r] as number;
        if (g === 0) return;
        let s = 0;
        for (let k = 0; k < D; k++) s += (x[xOffset + k] as number) * (x[xOffset + D + k] as number);
        const a = Math.abs(s);
        if (a > DOT_CLIP) return;
        if (a === DOT_CLIP) g *= 0.5;
        for (let k = 0; k < D; k++) {
          gx[gxOffset + k] = (gx[gxOffset + k] as number) + g * (x[xOffset + D + k] as number);
          gx[gxOffset + D + k] = (gx[gxOffset + D + k] as number) + g * (x[xOffset + k] as number);
        }
      },
    };
  },
};

const compare: NeuronType = {
  name: 'compare',
  description: 'a = dict-1[":number"], b = dict-2[":number"]; true = relu(a − b), false = relu(b − a).',
  inputs: ['dict-1', 'dict-2'],
  outputs: ['true', 'false'],
  selfLinks: [],
  interneuron: true,
  outputPaths: () => [[ROOT], [ROOT]],
  kernel(layout) {
    const D = layout.size;
    const r = layout.indexOf(ROOT);
    return {
      forward(x, xOffset, y, yOffset) {
        const d = r < 0 ? 0 : (x[xOffset + r] as number) - (x[xOffset + D + r] as number);
        y.fill(0, yOffset, yOffset + 2 * D);
        if (r < 0) return;
        y[yOffset + r] = d > 0 ? d : 0;
        y[yOffset + D + r] = d < 0 ? -d : 0;
      },
      backward(x, xOffset, _y, _yo, gy, gyOffset, gx, gxOffset) {
        if (r < 0) return;
        const d = (x[xOffset + r] as number) - (x[xOffset + D + r] as number);
        // ∂/∂a: true·relu'(d) − false·relu'(−d); ∂/∂b is its negative.
        const ga = (gy[gyOffset + r] as number) * reluGrad(d) - (gy[gyOffset + D + r] as number) * reluGrad(-d);
        if (ga === 0) return;
        gx[gxOffset + r] = (gx[gxOffset + r] as number) + ga;
        gx[gxOffset + D + r] = (gx[gxOffset + D + r] as number) - ga;
      },
    };
  },
};

function constantKernel(layout: PathLayout, value: VValue, ports: number): Kernel {
  const D = layout.size;
  const entries = Array.from(leaves(value), ([p, v]) => [layout.indexOf(p), v] as const);
  return {
    forward(_x, _xo, y, yOffset) {
      y.fill(0, yOffset, yOffset + ports * D);
      for (const [i, v] of entries) y[yOffset + i] = (y[yOffset + i] as number) + v;
    },
    backward: NONE,
  };
}

const const1: NeuronType = {
  name: 'const_1',
  description: 'const_1 = 1.',
  inputs: [],
  outputs: ['const_1'],
  selfLinks: [],
  interneuron: false,
  outputPaths: scalarOut,
  kernel: (layout) => constantKernel(layout, { ':number': 1 }, 1),
};

const eos: NeuronType = {
  name: 'eos',
  description: `char = {"${END_OF_TEXT}": 1}, the end-of-sentence character.`,
  inputs: [],
  outputs: ['char'],
  selfLinks: [],
  interneuron: false,
  outputPaths: () => [[[END_OF_TEXT]]],
  kernel: (layout) => constantKernel(layout, { [END_OF_TEXT]: 1 }, 1),
};

const timer: NeuronType = {
  name: 'timer',
  description: 'timer = timer[":number"] + 1 (with its self-link it counts cycles).',
  inputs: ['timer'],
  outputs: ['timer'],
  selfLinks: [['timer', 'timer']],
  interneuron: false,
  outputPaths: scalarOut,
  kernel(layout) {
    const D = layout.size;
    const r = layout.indexOf(ROOT);
    return {
      forward(x, xOffset, y, yOffset) {
        y.fill(0, yOffset, yOffset + D);
        y[yOffset + r] = (r < 0 ? 0 : (x[xOffset + r] as number)) + 1;
      },
      backward(_x, _xo, _y, _yo, gy, gyOffset, gx, gxOffset) {
        if (r >= 0) gx[gxOffset + r] = (gx[gxOffset + r] as number) + (gy[gyOffset + r] as number);
      },
    };
  },
};

/**
 * The symbols the `input` neuron emits for a driving string, in order: its characters, or
 * its word tokens (runs of non-space characters, with every "." a token of its own, so
 * "ran." is "ran", ".").
 */
export function drivingSymbols(text: string, mode: InputMode = 'characters'): string[] {
  if (mode === 'characters') return Array.from(text);
  return text.match(/\.|[^\s.]+/gu) ?? [];
}

/** The symbol the driving input emits at timer value t, or undefined (spec §4). */
export function drivingChar(chars: readonly string[], timerValue: number): string | undefined {
  const t = Math.max(0, timerValue);
  if (t % INPUT_PERIOD !== 0 || chars.length === 0) return undefined;
  return chars[Math.min(Math.floor(t / INPUT_PERIOD), chars.length - 1)];
}

const input: NeuronType = {
  name: 'input',
  description: `char = {c: 1} every ${INPUT_PERIOD} cycles, c the next character (or word token) of the driving string (its last one once the string is read).`,
  inputs: ['timer'],
  outputs: ['char'],
  selfLinks: [],
  interneuron: false,
  outputPaths: (_ins, ctx) => [ctx.alphabet.map((c) => [c])],
  kernel(layout, ctx) {
    const D = layout.size;
    const r = layout.indexOf(ROOT);
    const index = new Map(ctx.alphabet.map((c) => [c, layout.indexOf([c])]));
    let cachedString: string | undefined;
    let cachedMode: InputMode | undefined;
    let chars: string[] = [];
    return {
      forward(x, xOffset, y, yOffset, env) {
        const mode = env.inputMode ?? 'characters';
        if (env.inputString !== cachedString || mode !== cachedMode) {
          cachedString = env.inputString;
          cachedMode = mode;
          chars = drivingSymbols(env.inputString, mode);
        }
        y.fill(0, yOffset, yOffset + D);
        const c = drivingChar(chars, r < 0 ? 0 : (x[xOffset + r] as number));
        if (c === undefined) return;
        const i = index.get(c);
        if (i === undefined || i < 0) {
          throw new Error(`input ${mode === 'tokens' ? 'token' : 'character'} ${JSON.stringify(c)} is outside the machine's alphabet`);
        }
        y[yOffset + i] = 1;
      },
      backward: NONE, // piecewise constant in the timer
    };
  },
};

const output: NeuronType = {
  name: 'output',
  description: "A sink: the machine's result is read from its input ports dict-1 and dict-2.",
  inputs: ['dict-1', 'dict-2'],
  outputs: [],
  selfLinks: [],
  interneuron: false,
  outputPaths: () => [],
  kernel: () => ({ forward() {}, backward: NONE }),
};

const constant: NeuronType = {
  name: 'const',
  description: 'out = the V-value given as the neuron parameter (any depth), every cycle.',
  inputs: [],
  outputs: ['out'],
  selfLinks: [],
  interneuron: false,
  outputPaths: (_ins, ctx) => [Array.from(leaves(ctx.params ?? {}), ([p]) => p)],
  kernel: (layout, ctx) => constantKernel(layout, ctx.params ?? {}, 1),
};

const identity: NeuronType = {
  name: 'identity',
  description: 'out = in: a copy one cycle later (relays and delay lines).',
  inputs: ['in'],
  outputs: ['out'],
  selfLinks: [],
  interneuron: true,
  outputPaths: (ins) => [union(ins[0] ?? [])],
  kernel(layout) {
    const D = layout.size;
    return {
      forward(x, xo, y, yo) {
        for (let k = 0; k < D; k++) y[yo + k] = x[xo + k] as number;
      },
      backward(_x, _xo, _y, _yo, gy, gyo, gx, gxo) {
        for (let k = 0; k < D; k++) gx[gxo + k] = (gx[gxo + k] as number) + (gy[gyo + k] as number);
      },
    };
  },
};

const mult: NeuronType = {
  name: 'mult',
  description: 'out = gate[":number"] · main: the fuzzy conditional (main passes scaled by the gate scalar).',
  inputs: ['gate', 'main'],
  outputs: ['out'],
  selfLinks: [],
  interneuron: true,
  outputPaths: (ins) => [union(ins[1] ?? [])],
  kernel(layout) {
    const D = layout.size;
    const r = layout.indexOf(ROOT);
    return {
      forward(x, xo, y, yo) {
        const g = r < 0 ? 0 : (x[xo + r] as number);
        for (let k = 0; k < D; k++) y[yo + k] = g * (x[xo + D + k] as number);
      },
      backward(x, xo, _y, _yo, gy, gyo, gx, gxo) {
        // d main = gate·gy, d gate = ⟨main, gy⟩ (bilinear)
        const g = r < 0 ? 0 : (x[xo + r] as number);
        let dg = 0;
        for (let k = 0; k < D; k++) {
          const gk = gy[gyo + k] as number;
          if (gk === 0) continue;
          dg += gk * (x[xo + D + k] as number);
          gx[gxo + D + k] = (gx[gxo + D + k] as number) + g * gk;
        }
        if (r >= 0) gx[gxo + r] = (gx[gxo + r] as number) + dg;
      },
    };
  },
};

/** Labels of the `dmm-cons` list that `push` builds. */
export const LIST_HEAD = 'this';
export const LIST_TAIL = 'rest';
/** Largest depth cap a `push` neuron may declare. */
export const MAX_PUSH_DEPTH = 32;

/** Number of leading `rest` labels of a path: how deep in the list its coordinate sits. */
function listDepth(p: Path): number {
  let d = 0;
  while (d < p.length && p[d] === LIST_TAIL) d++;
  return d;
}

/** The depth cap K of a `push` instance: `params.depth`, an integer in [0, MAX_PUSH_DEPTH]. */
export function pushDepthProblem(params: VValue | undefined): string | undefined {
  const raw = params === undefined ? undefined : params['depth'];
  const k = typeof raw === 'number' ? raw : typeof raw === 'object' && raw !== null ? raw[':number'] : undefined;
  if (k === undefined) {
    return `params.depth is required: the depth cap K (the number of "${LIST_TAIL}" levels kept); an unbounded push would grow its list forever`;
  }
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > MAX_PUSH_DEPTH) {
    return `params.depth must be an integer in [0, ${MAX_PUSH_DEPTH}], got ${JSON.stringify(k)}`;
  }
  return undefined;
}

function pushDepth(params: VValue | undefined): number {
  const problem = pushDepthProblem(params);
  if (problem) throw new RangeError(`push: ${problem}`);
  const raw = (params as VValue)['depth'];
  return typeof raw === 'number' ? raw : ((raw as VValue)[':number'] as number);
}

const push: NeuronType = {
  name: 'push',
  description: `list = gate·{${LIST_HEAD}: item, ${LIST_TAIL}: list} + (1 − gate)·list, truncated below K "${LIST_TAIL}" levels (params.depth = K): a gated dmm-cons list. With its hard self-link list ← list it keeps the list.`,
  inputs: ['list', 'item', 'gate'],
  outputs: ['list'],
  selfLinks: [['list', 'list']],
  interneuron: true,
  paramsProblem: pushDepthProblem,
  outputPaths(ins, ctx) {
    const k = pushDepth(ctx.params);
    const list = ins[0] ?? [];
    const out = union(
      list,
      (ins[1] ?? []).map((p) => [LIST_HEAD, ...p]),
      list.map((p) => [LIST_TAIL, ...p]),
    );
    return [out.filter((p) => listDepth(p) <= k)];
  },
  kernel(layout, ctx) {
    const K = pushDepth(ctx.params);
    const D = layout.size;
    const r = layout.indexOf(ROOT);
    // per coordinate p of the layout: kept at all, and where {this: item, rest: list} reads it from
    const keep = new Uint8Array(D);
    const fromItem = new Int32Array(D).fill(-1);
    const fromList = new Int32Array(D).fill(-1);
    for (let k = 0; k < D; k++) {
      const p = layout.path(k);
      keep[k] = listDepth(p) <= K ? 1 : 0;
      if (p[0] === LIST_HEAD) fromItem[k] = layout.indexOf(p.slice(1));
      else if (p[0] === LIST_TAIL) fromList[k] = layout.indexOf(p.slice(1));
    }
    return {
      forward(x, xo, y, yo) {
        const g = r < 0 ? 0 : (x[xo + 2 * D + r] as number);
        for (let k = 0; k < D; k++) {
          if (!keep[k]) {
            y[yo + k] = 0;
            continue;
          }
          const i = fromItem[k] as number;
          const l = fromList[k] as number;
          const cons = (i >= 0 ? (x[xo + D + i] as number) : 0) + (l >= 0 ? (x[xo + l] as number) : 0);
          y[yo + k] = g * cons + (1 - g) * (x[xo + k] as number);
        }
      },
      backward(x, xo, _y, _yo, gy, gyo, gx, gxo) {
        const g = r < 0 ? 0 : (x[xo + 2 * D + r] as number);
        let dg = 0;
        for (let k = 0; k < D; k++) {
          const gk = gy[gyo + k] as number;
          if (gk === 0 || !keep[k]) continue;
          const i = fromItem[k] as number;
          const l = fromList[k] as number;
          const cons = (i >= 0 ? (x[xo + D + i] as number) : 0) + (l >= 0 ? (x[xo + l] as number) : 0);
          dg += gk * (cons - (x[xo + k] as number));
          gx[gxo + k] = (gx[gxo + k] as number) + (1 - g) * gk;
          if (i >= 0) gx[gxo + D + i] = (gx[gxo + D + i] as number) + g * gk;
          if (l >= 0) gx[gxo + l] = (gx[gxo + l] as number) + g * gk;
        }
        if (r >= 0) gx[gxo + 2 * D + r] = (gx[gxo + 2 * D + r] as number) + dg;
      },
    };
  },
};

/** Name of the self-referential neuron type (spec §2, beyond DMM-lite). */
export const SELF_TYPE = 'Self';

const self: NeuronType = {
  name: SELF_TYPE,
  description:
    'matrix = matrix + delta. Its matrix output is the network matrix used by the next down movement; links into delta change the running machine.',
  inputs: ['matrix', 'delta'],
  outputs: ['matrix'],
  selfLinks: [['matrix', 'matrix']],
  interneuron: false,
  outputPaths: (ins) => [union(ins[0] ?? [], ins[1] ?? [])],
  kernel: (layout) => sumKernel(layout, false),
};

const ALL: readonly NeuronType[] = [accum, norm, dot, compare, identity, mult, push, const1, eos, timer, input, output, constant, self];

export const NEURON_TYPES: ReadonlyMap<string, NeuronType> = new Map(ALL.map((t) => [t.name, t]));

/** The DMM-lite interneuron types (spec §3), in their canonical order: the default layers of synthesis. */
export const INTERNEURON_TYPES: readonly string[] = ['accum', 'norm', 'compare', 'dot'];

/** Every interneuron type a generated architecture may place in its layers: DMM-lite's, then the general ones. */
export const LAYER_TYPES: readonly string[] = [...INTERNEURON_TYPES, 'identity', 'mult', 'push'];

/** What is wrong with a neuron instance's type or parameters ("" when it is fine). */
export function neuronProblem(n: { readonly name: string; readonly type: string; readonly params?: VValue | undefined }): string {
  const t = NEURON_TYPES.get(n.type);
  if (!t) return `unknown neuron type "${n.type}" (known: ${[...NEURON_TYPES.keys()].join(', ')})`;
  const p = t.paramsProblem?.(n.params);
  return p ? `${n.type} neuron "${n.name}": ${p}` : '';
}

export function neuronType(name: string): NeuronType {
  const t = NEURON_TYPES.get(name);
  if (!t) {
    throw new Error(`unknown neuron type "${name}" (known: ${[...NEURON_TYPES.keys()].join(', ')})`);
  }
  return t;
}
