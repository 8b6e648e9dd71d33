/**
 * Cytoscape elements of the diff views. Side-by-side: each pane draws its own circuit
 * (nodes named as in that circuit, soft links by sign and |w|, hard self-links dashed)
 * at the union positions, so a matched pair sits at the same place in both panes; each
 * element knows its counterpart in the other pane. Pane B also shows A's unmatched
 * neurons as ghosts: drop a B neuron on one to pair them. Overlay: one union graph whose
 * links carry the five statuses of the link diff, with Δw labels.
 */
import type { ElementDefinition } from 'cytoscape';
import type { LinkDiff, LinkRow, LinkStatus } from '@shared/diff/link-diff';
import { matrixLinks, type Link } from '@shared/machine/spec';
import { LINK_STATUS_COLORS, neuronTypeColor } from '@shared/render/palette';
import { edgeColor, edgeWidth, linkId } from '../components/circuit';
import { unionNeurons, unionOfA, unionOfB, type DiffModel } from './diff-model';
import type { Positions } from './positions';

export type Side = 'a' | 'b';

/** Above this many links, edges are drawn straight (bezier routing of parallel edges costs most of the drawing time). */
export const DENSE = 150;
export type Spotlight = 'a' | 'b' | 'both';

/** Edge id of a soft link in a pane (hard links get `hard:` in front). */
export const softEdgeId = (l: Link): string => linkId(l);

/** Colours of the overlay's five link statuses (the legend reads them too). */
export const STATUS_STYLE: Readonly<Record<LinkStatus, { readonly color: string; readonly label: string; readonly dashed: boolean }>> = {
  matched: { color: LINK_STATUS_COLORS['matched'], label: 'same weight', dashed: false },
  'weight-changed': { color: LINK_STATUS_COLORS['weight-changed'], label: 'weight changed (Δw)', dashed: false },
  'sign-flipped': { color: LINK_STATUS_COLORS['sign-flipped'], label: 'sign flipped', dashed: true },
  'only-a': { color: LINK_STATUS_COLORS['only-a'], label: 'only in A', dashed: false },
  'only-b': { color: LINK_STATUS_COLORS['only-b'], label: 'only in B', dashed: true },
};

function pos(positions: Positions, id: string): { x: number; y: number } {
  const p = positions.get(id);
  return p ? { x: p.x, y: p.y } : { x: 0, y: 0 };
}

/** Rows of the link diff by their link's edge id on each side. */
export function rowsByEdge(diff: LinkDiff): { a: Map<string, LinkRow>; b: Map<string, LinkRow> } {
  const a = new Map<string, LinkRow>();
  const b = new Map<string, LinkRow>();
  for (const r of diff.rows) {
    const prefix = r.kind === 'hard' ? 'hard:' : '';
    if (r.a) a.set(prefix + softEdgeId(r.a), r);
    if (r.b) b.set(prefix + softEdgeId(r.b), r);
  }
  return { a, b };
}

/** One pane of the side-by-side view: circuit `side` with links above `threshold` (`diff` was computed at it). */
export function paneElements(model: DiffModel, side: Side, positions: Positions, diff: LinkDiff, threshold: number): ElementDefinition[] {
  const spec = side === 'a' ? model.a : model.b;
  const types = side === 'a' ? model.typesA : model.typesB;
  const shown = side === 'a' ? model.shownA : model.shownB;
  const partner = side === 'a' ? model.aToB : model.bToA;
  const unionId = (name: string): string => (side === 'a' ? unionOfA(name) : unionOfB(model, name));
  const rows = rowsByEdge(diff)[side];
  const other: Side = side === 'a' ? 'b' : 'a';
  const out: ElementDefinition[] = [];
  for (const name of shown) {
    const type = types.get(name) ?? 'unknown';
    const counterpart = partner.get(name);
    out.push({
      group: 'nodes',
      data: {
        id: name,
        name,
        type,
        label: type === name ? name : `${name}\n${type}`,
        color: neuronTypeColor(type),
        counterpart: counterpart ?? '',
      },
      position: pos(positions, unionId(name)),
      classes: counterpart === undefined ? 'unmatched' : 'matched',
    });
  }
  const soft = matrixLinks(spec.trainable).filter((l) => Math.abs(l.weight) > threshold);
  let maxAbs = 0;
  for (const l of soft) maxAbs = Math.max(maxAbs, Math.abs(l.weight));
  for (const l of soft) {
    const id = softEdgeId(l);
    const row = rows.get(id);
    const twin = row?.[other];
    out.push({
      group: 'edges',
      data: {
        id,
        source: l.from,
        target: l.to,
        weight: l.weight,
        width: edgeWidth(Math.abs(l.weight), maxAbs),
        color: edgeColor(l.weight),
        label: `${l.to}.${l.toPort} ← ${l.from}.${l.fromPort}`,
        status: row?.status ?? '',
        dw: row ? row.dw : '',
        counterpart: twin ? softEdgeId(twin) : '',
      },
      classes: `soft ${row?.status ?? ''}${soft.length > DENSE ? ' dense' : ''}`,
    });
  }
  const drawn = new Set(shown);
  for (const l of matrixLinks(spec.fixed)) {
    if (!drawn.has(l.to) || !drawn.has(l.from) || l.to !== l.from) continue;
    const row = rows.get(`hard:${softEdgeId(l)}`);
    const twin = row?.[other];
    out.push({
      group: 'edges',
      data: {
        id: `hard:${softEdgeId(l)}`,
        source: l.from,
        target: l.to,
        weight: l.weight,
        label: `${l.to}.${l.toPort} ← ${l.from}.${l.fromPort} (hard link)`,
        counterpart: twin ? `hard:${softEdgeId(twin)}` : '',
      },
      classes: 'hard',
    });
  }
  if (side === 'b') {
    // A's unmatched neurons, where they are in pane A: targets for re-pairing
    for (const a of model.shownA) {
      if (model.aToB.has(a)) continue;
      const type = model.typesA.get(a) ?? 'unknown';
      out.push({
        group: 'nodes',
        data: { id: `ghost:${a}`, name: a, type, label: `${a} (A)`, color: neuronTypeColor(type), counterpart: a },
        position: pos(positions, unionOfA(a)),
        classes: 'ghost',
        selectable: false,
        grabbable: false,
      });
    }
  }
  return out;
}

const signed = (x: number): string => {
  const s = Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(3) : x.toExponential(2);
  return x > 0 ? `+${s}` : s;
};

/** The overlay: union neurons, every classified link between them, faded outside the spotlight. */
export function overlayElements(model: DiffModel, positions: Positions, diff: LinkDiff, spotlight: Spotlight): ElementDefinition[] {
  const out: ElementDefinition[] = [];
  const faded = (side: 'both' | 'only-a' | 'only-b'): boolean =>
    (spotlight === 'a' && side === 'only-b') || (spotlight === 'b' && side === 'only-a');
  for (const n of unionNeurons(model)) {
    out.push({
      group: 'nodes',
      data: {
        id: n.id,
        name: n.label,
        type: n.type,
        label: n.type === n.label ? n.label : `${n.label}\n${n.type}`,
        color: neuronTypeColor(n.type),
      },
      position: pos(positions, n.id),
      classes: `${n.side}${faded(n.side) ? ' faded' : ''}`,
    });
  }
  const ids = new Set<string>();
  diff.rows.forEach((r, i) => {
    const ends = r.a
      ? { source: unionOfA(r.a.from), target: unionOfA(r.a.to) }
      : { source: unionOfB(model, (r.b as Link).from), target: unionOfB(model, (r.b as Link).to) };
    if (!positions.has(ends.source) || !positions.has(ends.target)) return;
    if (r.kind === 'hard' && ends.source !== ends.target) return; // only self-links are drawn, as in the panes
    let id = `${r.kind}:${r.label}`;
    if (ids.has(id)) id = `${id}#${i}`;
    ids.add(id);
    const out_ = r.status === 'only-b' ? 'b' : r.status === 'only-a' ? 'a' : 'both';
    const fade = (spotlight === 'a' && out_ === 'b') || (spotlight === 'b' && out_ === 'a');
    const showDw = r.status === 'weight-changed' || r.status === 'sign-flipped';
    out.push({
      group: 'edges',
      data: {
        ...ends,
        id,
        status: r.status,
        color: STATUS_STYLE[r.status].color,
        label: r.label,
        dwLabel: showDw ? `Δw ${signed(r.dw)}` : '',
        wA: r.wA ?? '',
        wB: r.wB ?? '',
        dw: r.dw,
      },
      classes: `${r.kind} ${r.status}${fade ? ' faded' : ''}${diff.rows.length > DENSE ? ' dense' : ''}`,
    });
  });
  return out;
}
