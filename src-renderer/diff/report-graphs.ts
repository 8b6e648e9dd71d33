/**
 * The diff's graphs as standalone SVG (src-shared/render/svg-graph.ts) for the report: each
 * circuit at the union positions (matched neurons at the same places in both pictures) and
 * the overlay with the five link statuses and Δw labels.
 */
import type { LinkDiff } from '@shared/diff/link-diff';
import { matrixLinks } from '@shared/machine/spec';
import { graphToSvg, type SvgEdge, type SvgNode } from '@shared/render/svg-graph';
import { neuronTypeColor, PAPER } from '@shared/render/palette';
import { edgeColor, edgeWidth } from '../components/circuit';
import { unionNeurons, unionOfA, unionOfB, type DiffModel } from './diff-model';
import { STATUS_STYLE } from './elements';
import type { Positions } from './positions';

/** The layout packs nodes for 16 px circles; labelled boxes need more room. */
const SX = 1.7;
const SY = 2.6;

function box(id: string, label: string, type: string, p: { x: number; y: number } | undefined, extra: Partial<SvgNode> = {}): SvgNode {
  return {
    id,
    x: (p?.x ?? 0) * SX,
    y: (p?.y ?? 0) * SY,
    width: Math.min(150, Math.max(40, label.length * 7.5 + 12)),
    height: 30,
    label,
    ...(type !== label ? { sublabel: type } : {}),
    stroke: neuronTypeColor(type),
    ...extra,
  };
}

/** One circuit of the diff (soft links above `threshold`). */
export function circuitSvg(model: DiffModel, side: 'a' | 'b', positions: Positions, threshold: number, title: string): string {
  const spec = side === 'a' ? model.a : model.b;
  const types = side === 'a' ? model.typesA : model.typesB;
  const shown = side === 'a' ? model.shownA : model.shownB;
  const partner = side === 'a' ? model.aToB : model.bToA;
  const nodes = shown.map((name) =>
    box(
      name,
      name,
      types.get(name) ?? 'unknown',
      positions.get(side === 'a' ? unionOfA(name) : unionOfB(model, name)),
      partner.has(name) ? {} : { fill: PAPER.unpairedFill },
    ),
  );
  const soft = matrixLinks(spec.trainable).filter((l) => Math.abs(l.weight) > threshold);
  const maxAbs = soft.reduce((m, l) => Math.max(m, Math.abs(l.weight)), 0);
  const drawn = new Set(shown);
  const edges: SvgEdge[] = soft
    .filter((l) => drawn.has(l.to) && drawn.has(l.from))
    .map((l) => ({ source: l.from, target: l.to, color: edgeColor(l.weight), width: edgeWidth(Math.abs(l.weight), maxAbs) * 0.6 }));
  return graphToSvg({ nodes, edges, title });
}

/** The union graph with each link in the colour of its status. */
export function overlaySvg(model: DiffModel, positions: Positions, diff: LinkDiff, title: string): string {
  const nodes = unionNeurons(model).map((n) =>
    box(
      n.id,
      n.label,
      n.type,
      positions.get(n.id),
      n.side === 'both' ? {} : { fill: n.side === 'only-a' ? PAPER.onlyAFill : PAPER.onlyBFill },
    ),
  );
  const ids = new Set(nodes.map((n) => n.id));
  const edges: SvgEdge[] = [];
  for (const r of diff.rows) {
    if (r.kind !== 'soft') continue;
    const source = r.a ? unionOfA(r.a.from) : unionOfB(model, r.b!.from);
    const target = r.a ? unionOfA(r.a.to) : unionOfB(model, r.b!.to);
    if (!ids.has(source) || !ids.has(target)) continue;
    const s = STATUS_STYLE[r.status];
    const dw =
      r.status === 'weight-changed' || r.status === 'sign-flipped' ? `Δw ${r.dw > 0 ? '+' : ''}${Number(r.dw.toPrecision(3))}` : undefined;
    edges.push({ source, target, color: s.color, dashed: s.dashed, width: r.status === 'matched' ? 1.2 : 2, ...(dw ? { label: dw } : {}) });
  }
  return graphToSvg({ nodes, edges, title });
}
