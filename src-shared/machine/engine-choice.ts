/**
 * Which engine computes losses and gradients: `compiled` (the reference engine, compiled.ts),
 * `fast` (the fast engine on WebAssembly, or on TypeScript where WebAssembly is not
 * available) or `fast-ts` (the fast engine on plain TypeScript). The fast engine is the
 * default; a machine it does not support (see FastEngineUnsupported) runs on the compiled one.
 */
import { FastEngineUnsupported, FastMachine, type ObservedPort } from './fast/engine';
import { tsBackend, type FastBackend } from './fast/backend';
import { wasmBackend } from './fast/wasm-backend';
import type { CompiledMachine } from './compiled';

export const ENGINES = ['fast', 'fast-ts', 'compiled'] as const;
export type EngineName = (typeof ENGINES)[number];

let defaultEngine: EngineName = 'fast';

export function isEngineName(s: string): s is EngineName {
  return (ENGINES as readonly string[]).includes(s);
}

/** The engine used when a caller does not name one (the CLI's --engine sets it for a whole process). */
export function getDefaultEngine(): EngineName {
  return defaultEngine;
}

export function setDefaultEngine(e: EngineName): void {
  if (!isEngineName(e)) throw new RangeError(`unknown engine "${String(e)}" (known: ${ENGINES.join(', ')})`);
  defaultEngine = e;
}

/** The fast engine's backend for `engine` (undefined for the compiled engine). */
export function backendFor(engine: EngineName): FastBackend | undefined {
  if (engine === 'compiled') return undefined;
  if (engine === 'fast-ts') return tsBackend;
  return wasmBackend() ?? tsBackend;
}

/**
 * A fast machine for `oracle` when `engine` asks for one and supports the machine;
 * otherwise undefined and the reason (the caller runs the compiled engine).
 */
export function fastMachineFor(
  oracle: CompiledMachine,
  observed: readonly ObservedPort[],
  engine: EngineName,
): { machine?: FastMachine; reason?: string } {
  const backend = backendFor(engine);
  if (!backend) return {};
  try {
    return { machine: new FastMachine(oracle, observed, backend) };
  } catch (e) {
    if (e instanceof FastEngineUnsupported) return { reason: e.message };
    throw e;
  }
}
