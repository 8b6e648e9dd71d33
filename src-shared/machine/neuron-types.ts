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
import { leaves, type VValue } from '../vvalue/vvalue';
import { NONE, scalarOut, union, type InputMode, type Kernel, type NeuronType } from './neuron-kernel';
import { identity, mult, push } from './neuron-types-gated';

export type { GradientMode, InputMode, Kernel, NeuronContext, NeuronEnv, NeuronType } from './neuron-kernel';
export { LIST_HEAD, LIST_TAIL, MAX_PUSH_DEPTH, pushDepthProblem } from './neuron-types-gated';

/** `dot` clips its result to [−DOT_CLIP, DOT_CLIP]. */
export const DOT_CLIP = 4;
/** The `input` neuron emits one character every INPUT_PERIOD cycles. */
export const INPUT_PERIOD = 10;
/** The character the `eos` neuron emits. */
export const END_OF_TEXT = '.';

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
