/**
 * The editor's SVG export, written from the document's node positions by the generic
 * writer of src-shared/render/svg-graph.ts: neurons as rounded boxes (name, type below)
 * with their registry ports, links from port to port labelled with their weight, width by
 * |w|, colour by sign, hard links dashed; links below the threshold ε are left out as on
 * the canvas.
 */
import type { EditorDocument } from '@shared/editor/document';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import { graphToSvg, type SvgEdge, type SvgNode } from '@shared/render/svg-graph';
import { neuronTypeColor } from '@shared/render/palette';
import { edgeColour, edgeWidth, hiddenByThreshold, weightLabel } from './elements';
import { NEURON_WIDTH, neuronHeight } from './layouts';

export interface SvgExportOptions {
  /** Links with |w| < ε are left out (as on the canvas). */
  readonly epsilon?: number;
  readonly title?: string;
}

export function documentToSvg(doc: EditorDocument, options: SvgExportOptions = {}): string {
  const eps = options.epsilon ?? 0;
  let maxAbs = 0;
  for (const l of doc.links) if (Number.isFinite(l.weight)) maxAbs = Math.max(maxAbs, Math.abs(l.weight));
  // a repeated name (a validation error) is drawn once, as on the canvas
  const typeOf = new Map<string, string>();
  for (const n of doc.neurons) if (!typeOf.has(n.name)) typeOf.set(n.name, n.type);
  const drawn = new Set<string>();
  const first = doc.neurons.filter((n) => !drawn.has(n.name) && drawn.add(n.name));
  const nodes: SvgNode[] = first.map((n) => {
    const t = NEURON_TYPES.get(n.type);
    return {
      id: n.name,
      x: n.position.x,
      y: n.position.y,
      width: NEURON_WIDTH,
      height: neuronHeight(n.type),
      label: n.name,
      sublabel: n.type,
      shape: 'round-rectangle',
      stroke: neuronTypeColor(n.type),
      ...(t ? { ports: { in: t.inputs, out: t.outputs } } : {}),
    };
  });
  const edges: SvgEdge[] = [];
  for (const l of doc.links) {
    const fromType = NEURON_TYPES.get(typeOf.get(l.from) ?? '');
    const toType = NEURON_TYPES.get(typeOf.get(l.to) ?? '');
    if (!typeOf.has(l.from) || !typeOf.has(l.to) || hiddenByThreshold(l, eps)) continue;
    edges.push({
      source: l.from,
      target: l.to,
      // a port its type does not have (a validation error) ends at the box
      ...(fromType?.outputs.includes(l.fromPort) ? { sourcePort: l.fromPort } : {}),
      ...(toType?.inputs.includes(l.toPort) ? { targetPort: l.toPort } : {}),
      label: weightLabel(l.weight),
      width: edgeWidth(l.weight, maxAbs),
      color: edgeColour(l.weight),
      dashed: !l.soft,
    });
  }
  return graphToSvg({ nodes, edges, ...(options.title !== undefined ? { title: options.title } : {}) });
}
