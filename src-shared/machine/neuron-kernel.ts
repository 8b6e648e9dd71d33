/**
 * What a neuron type is, for the registry (neuron-types.ts) and the modules that define types:
 * its ports, its kernel on dense slices, what the environment and the instance supply, and
 * the small helpers every kernel file shares.
 */
import { ROOT, type PathLayout } from '../vvalue/path-layout';
import { pathKey, type Path, type VValue } from '../vvalue/vvalue';

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

/** A backward pass that adds nothing (types whose outputs do not depend on their inputs smoothly). */
export const NONE: Kernel['backward'] = () => {};

/** The union of coordinate sets, each path once. */
export function union(...sets: ReadonlyArray<readonly Path[]>): Path[] {
  const seen = new Map<string, Path>();
  for (const s of sets) for (const p of s) seen.set(pathKey(p), p);
  return [...seen.values()];
}

/** The output coordinates of a type with one scalar output. */
export const scalarOut = (): Path[][] => [[ROOT]];
