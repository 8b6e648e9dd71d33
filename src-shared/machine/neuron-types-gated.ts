/**
 * The relay and gating neuron types: `identity` (a copy: relays and delay lines), `mult`
 * (the fuzzy conditional: a scalar gate times a tree) and `push` (a gated list cons,
 * truncated at a declared depth so that the coordinates a machine can hold stay finite).
 * Registered with the others in neuron-types.ts.
 */
import { ROOT } from '../vvalue/path-layout';
import { type Path, type VValue } from '../vvalue/vvalue';
import { union, type NeuronType } from './neuron-kernel';

export const identity: NeuronType = {
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
      forward(x, xOffset, y, yOffset) {
        for (let k = 0; k < D; k++) y[yOffset + k] = x[xOffset + k] as number;
      },
      backward(_x, _xOffset, _y, _yOffset, gy, gyOffset, gx, gxOffset) {
        for (let k = 0; k < D; k++) gx[gxOffset + k] = (gx[gxOffset + k] as number) + (gy[gyOffset + k] as number);
      },
    };
  },
};

export const mult: NeuronType = {
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
      forward(x, xOffset, y, yOffset) {
        const g = r < 0 ? 0 : (x[xOffset + r] as number);
        for (let k = 0; k < D; k++) y[yOffset + k] = g * (x[xOffset + D + k] as number);
      },
      backward(x, xOffset, _y, _yOffset, gy, gyOffset, gx, gxOffset) {
        // d main = gate·gy, d gate = ⟨main, gy⟩ (bilinear)
        const g = r < 0 ? 0 : (x[xOffset + r] as number);
        let dg = 0;
        for (let k = 0; k < D; k++) {
          const gk = gy[gyOffset + k] as number;
          if (gk === 0) continue;
          dg += gk * (x[xOffset + D + k] as number);
          gx[gxOffset + D + k] = (gx[gxOffset + D + k] as number) + g * gk;
        }
        if (r >= 0) gx[gxOffset + r] = (gx[gxOffset + r] as number) + dg;
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

export const push: NeuronType = {
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
      forward(x, xOffset, y, yOffset) {
        const g = r < 0 ? 0 : (x[xOffset + 2 * D + r] as number);
        for (let k = 0; k < D; k++) {
          if (!keep[k]) {
            y[yOffset + k] = 0;
            continue;
          }
          const i = fromItem[k] as number;
          const l = fromList[k] as number;
          const cons = (i >= 0 ? (x[xOffset + D + i] as number) : 0) + (l >= 0 ? (x[xOffset + l] as number) : 0);
          y[yOffset + k] = g * cons + (1 - g) * (x[xOffset + k] as number);
        }
      },
      backward(x, xOffset, _y, _yOffset, gy, gyOffset, gx, gxOffset) {
        const g = r < 0 ? 0 : (x[xOffset + 2 * D + r] as number);
        let dg = 0;
        for (let k = 0; k < D; k++) {
          const gk = gy[gyOffset + k] as number;
          if (gk === 0 || !keep[k]) continue;
          const i = fromItem[k] as number;
          const l = fromList[k] as number;
          const cons = (i >= 0 ? (x[xOffset + D + i] as number) : 0) + (l >= 0 ? (x[xOffset + l] as number) : 0);
          dg += gk * (cons - (x[xOffset + k] as number));
          gx[gxOffset + k] = (gx[gxOffset + k] as number) + (1 - g) * gk;
          if (i >= 0) gx[gxOffset + D + i] = (gx[gxOffset + D + i] as number) + g * gk;
          if (l >= 0) gx[gxOffset + l] = (gx[gxOffset + l] as number) + g * gk;
        }
        if (r >= 0) gx[gxOffset + 2 * D + r] = (gx[gxOffset + 2 * D + r] as number) + dg;
      },
    };
  },
};
