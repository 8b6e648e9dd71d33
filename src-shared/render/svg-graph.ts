/**
 * A generic graph → standalone SVG document writer (pure: no DOM, no fonts measured).
 *
 * Used for the circuit diff's HTML/PDF report (src-shared/diff/report.ts) and the editor's
 * SVG export. The caller lays the graph out (node centres in `x`, `y`); this module only
 * draws it:
 *   - nodes as rounded rectangles, ellipses or rectangles with a label and an optional
 *     sublabel (the neuron type, say);
 *   - ports, when given, as small labelled circles: inputs evenly spaced on the left edge,
 *     outputs on the right edge; an edge naming a port starts / ends at its circle;
 *   - edges as straight lines (or bezier curves between ports, or bowed curves when two
 *     edges join the same pair of nodes), self-loops as loops above the node, every edge
 *     with an arrowhead drawn as its own polygon (no markers, so the colour always matches),
 *     an optional label at its midpoint, width, colour and dashes;
 *   - a title above the drawing when given.
 * All text is XML-escaped (characters XML cannot hold are dropped), colours are checked
 * against a small safe grammar (no `url(...)`, so no external references), coordinates must
 * be finite, and the viewBox is the bounding box of everything drawn plus `padding`.
 * One fixed font family and size are used so the text width estimate for the bounding box
 * (0.6 em per character, right for monospace) holds.
 */
import { PAPER } from './palette';

export type SvgNodeShape = 'round-rectangle' | 'ellipse' | 'rectangle';

export interface SvgNode {
  readonly id: string;
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly label: string;
  readonly sublabel?: string;
  readonly shape?: SvgNodeShape;
  readonly fill?: string;
  readonly stroke?: string;
  readonly ports?: { readonly in: readonly string[]; readonly out: readonly string[] };
}

export interface SvgEdge {
  readonly source: string;
  readonly target: string;
  readonly sourcePort?: string;
  readonly targetPort?: string;
  readonly label?: string;
  /** Stroke width (default 1.5). */
  readonly width?: number;
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface SvgGraph {
  readonly nodes: readonly SvgNode[];
  readonly edges: readonly SvgEdge[];
  readonly title?: string;
  /** Space around the drawing (default 16). */
  readonly padding?: number;
}

export const SVG_FONT_FAMILY = "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace";
export const SVG_FONT_SIZE = 12;
const PORT_FONT_SIZE = 9;
const PORT_RADIUS = 3.5;
const CHAR_WIDTH = 0.6; // em per character of a monospace font
const ARROW_LENGTH = 8;
const ARROW_HALF_WIDTH = 3.5;
const DEFAULT_FILL = PAPER.nodeFill;
const DEFAULT_STROKE = PAPER.muted;
const DEFAULT_EDGE = PAPER.muted;

/** XML text / attribute escaping; drops characters XML 1.0 cannot hold (controls, lone surrogates). */
export function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
      }
      continue; // a lone high surrogate
    }
    if (c >= 0xdc00 && c <= 0xdfff) continue; // a lone low surrogate
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) continue;
    if (c === 0xfffe || c === 0xffff) continue;
    const ch = text[i]!;
    out += ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '"' ? '&quot;' : ch === "'" ? '&#39;' : ch;
  }
  return out;
}

const SAFE_COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/+-]{1,60}\))$/i;

/** A colour usable in an attribute: `#rgb[a]`, `#rrggbb[aa]`, a keyword, or rgb()/hsl() with numbers only. */
export function checkColor(color: string, what: string): string {
  if (!SAFE_COLOR.test(color)) throw new RangeError(`${what}: "${color}" is not a colour (#rrggbb, a name, rgb(...) or hsl(...))`);
  return color;
}

/** A number for SVG output: at most 2 decimals, no `-0` (also used by src-shared/diff/plot-svg.ts). */
export function num(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

interface Point {
  readonly x: number;
  readonly y: number;
}

class Bounds {
  minX = Infinity;
  minY = Infinity;
  maxX = -Infinity;
  maxY = -Infinity;
  add(x: number, y: number): void {
    this.minX = Math.min(this.minX, x);
    this.minY = Math.min(this.minY, y);
    this.maxX = Math.max(this.maxX, x);
    this.maxY = Math.max(this.maxY, y);
  }
  addBox(cx: number, cy: number, halfW: number, halfH: number): void {
    this.add(cx - halfW, cy - halfH);
    this.add(cx + halfW, cy + halfH);
  }
  get empty(): boolean {
    return !(this.maxX >= this.minX);
  }
}

function textWidth(text: string, size: number): number {
  return [...text].length * size * CHAR_WIDTH;
}

/** Where port `i` of `n` sits on the left (inputs) or right (outputs) edge of a node. */
function portPoint(node: SvgNode, side: 'in' | 'out', index: number, count: number): Point {
  const x = side === 'in' ? node.x - node.width / 2 : node.x + node.width / 2;
  const y = node.y - node.height / 2 + ((index + 1) * node.height) / (count + 1);
  return { x, y };
}

/** The point where the ray from the centre of `node` towards `toward` leaves its outline. */
function boundaryPoint(node: SvgNode, toward: Point): Point {
  const dx = toward.x - node.x;
  const dy = toward.y - node.y;
  if (dx === 0 && dy === 0) return { x: node.x, y: node.y };
  const a = node.width / 2;
  const b = node.height / 2;
  let t: number;
  if ((node.shape ?? 'round-rectangle') === 'ellipse') {
    t = 1 / Math.sqrt((dx * dx) / (a * a) + (dy * dy) / (b * b));
  } else {
    t = Math.min(dx === 0 ? Infinity : a / Math.abs(dx), dy === 0 ? Infinity : b / Math.abs(dy));
  }
  return { x: node.x + dx * t, y: node.y + dy * t };
}

/** Point at parameter t of a cubic bezier. */
function cubicAt(p0: Point, p1: Point, p2: Point, p3: Point, t: number): Point {
  const u = 1 - t;
  return {
    x: u * u * u * p0.x + 3 * u * u * t * p1.x + 3 * u * t * t * p2.x + t * t * t * p3.x,
    y: u * u * u * p0.y + 3 * u * u * t * p1.y + 3 * u * t * t * p2.y + t * t * t * p3.y,
  };
}

function checkFinite(x: number, what: string): void {
  if (!Number.isFinite(x)) throw new RangeError(`${what} must be a finite number, got ${x}`);
}

function checkNode(n: SvgNode): void {
  const what = `node "${n.id}"`;
  checkFinite(n.x, `${what}: x`);
  checkFinite(n.y, `${what}: y`);
  checkFinite(n.width, `${what}: width`);
  checkFinite(n.height, `${what}: height`);
  if (n.width <= 0 || n.height <= 0) throw new RangeError(`${what}: width and height must be positive`);
  if (n.fill !== undefined) checkColor(n.fill, `${what}: fill`);
  if (n.stroke !== undefined) checkColor(n.stroke, `${what}: stroke`);
}

interface Drawn {
  /** The path without its end point: `M x,y L` or `M x,y C c1 c2`, completed with where the line stops. */
  readonly head: string;
  /** Last tangent: arrow from `tail` to `tip`. */
  readonly tail: Point;
  readonly tip: Point;
  readonly mid: Point;
  /** Points whose convex hull contains the curve (for the bounding box). */
  readonly hull: readonly Point[];
}

function straight(p: Point, q: Point): Drawn {
  return { head: `M${num(p.x)},${num(p.y)} L`, tail: p, tip: q, mid: { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 }, hull: [p, q] };
}

function cubic(p0: Point, p1: Point, p2: Point, p3: Point): Drawn {
  return {
    head: `M${num(p0.x)},${num(p0.y)} C${num(p1.x)},${num(p1.y)} ${num(p2.x)},${num(p2.y)} `,
    tail: p2.x === p3.x && p2.y === p3.y ? p1 : p2,
    tip: p3,
    mid: cubicAt(p0, p1, p2, p3, 0.5),
    hull: [p0, p1, p2, p3],
  };
}

/** The graph as a standalone SVG document (see the module comment). */
export function graphToSvg(graph: SvgGraph): string {
  const padding = graph.padding ?? 16;
  checkFinite(padding, 'padding');
  const nodes = new Map<string, SvgNode>();
  for (const n of graph.nodes) {
    if (nodes.has(n.id)) throw new RangeError(`duplicate node id "${n.id}"`);
    checkNode(n);
    nodes.set(n.id, n);
  }
  const bounds = new Bounds();
  const parts: string[] = [];

  // edges first, so nodes are drawn over their ends
  const pairCount = new Map<string, number>();
  const pairKey = (s: string, t: string): string => (s < t ? `${s}\u0000${t}` : `${t}\u0000${s}`);
  for (const e of graph.edges)
    if (e.source !== e.target) pairCount.set(pairKey(e.source, e.target), (pairCount.get(pairKey(e.source, e.target)) ?? 0) + 1);
  const pairSeen = new Map<string, number>();
  const loopsSeen = new Map<string, number>();

  graph.edges.forEach((e, i) => {
    const what = `edge ${i} (${e.source} → ${e.target})`;
    const s = nodes.get(e.source);
    const t = nodes.get(e.target);
    if (!s) throw new RangeError(`${what}: source "${e.source}" is not a node`);
    if (!t) throw new RangeError(`${what}: target "${e.target}" is not a node`);
    const width = e.width ?? 1.5;
    checkFinite(width, `${what}: width`);
    const color = e.color === undefined ? DEFAULT_EDGE : checkColor(e.color, `${what}: color`);
    const port = (n: SvgNode, side: 'in' | 'out', name: string | undefined): Point | undefined => {
      if (name === undefined || !n.ports) return undefined;
      const list = n.ports[side];
      const k = list.indexOf(name);
      if (k < 0) throw new RangeError(`${what}: node "${n.id}" has no ${side === 'in' ? 'input' : 'output'} port "${name}"`);
      return portPoint(n, side, k, list.length);
    };
    const sp = port(s, 'out', e.sourcePort);
    const tp = port(t, 'in', e.targetPort);
    let drawn: Drawn;
    if (s === t) {
      const k = loopsSeen.get(s.id) ?? 0;
      loopsSeen.set(s.id, k + 1);
      const top = s.y - s.height / 2;
      // where x = centre ± 0.2·width meets the outline (lower than the top on an ellipse)
      const rim = (s.shape ?? 'round-rectangle') === 'ellipse' ? s.y - (s.height / 2) * Math.sqrt(1 - 0.4 * 0.4) : top;
      const rise = 28 + 14 * k;
      const p0 = sp ?? { x: s.x + s.width * 0.2, y: rim };
      const p3 = tp ?? { x: s.x - s.width * 0.2, y: rim };
      const reach = Math.max(24, s.width * 0.25);
      const p1 = sp ? { x: p0.x + reach, y: top - rise } : { x: p0.x + reach * 0.5, y: top - rise * 1.4 };
      const p2 = tp ? { x: p3.x - reach, y: top - rise } : { x: p3.x - reach * 0.5, y: top - rise * 1.4 };
      drawn = cubic(p0, p1, p2, p3);
    } else if (sp || tp) {
      const p0 = sp ?? boundaryPoint(s, tp ?? t);
      const p3 = tp ?? boundaryPoint(t, sp ?? s);
      const dx = Math.max(30, Math.abs(p3.x - p0.x) * 0.4);
      const p1 = sp ? { x: p0.x + dx, y: p0.y } : p0;
      const p2 = tp ? { x: p3.x - dx, y: p3.y } : p3;
      drawn = cubic(p0, p1, p2, p3);
    } else {
      const key = pairKey(s.id, t.id);
      const total = pairCount.get(key) ?? 1;
      const k = pairSeen.get(key) ?? 0;
      pairSeen.set(key, k + 1);
      if (total === 1) {
        drawn = straight(boundaryPoint(s, t), boundaryPoint(t, s));
      } else {
        // bow parallel / opposite edges apart: offsets symmetric about the straight line,
        // measured in a frame fixed by the ordered pair so opposite edges bow to opposite sides
        const [u, v] = s.id < t.id ? [s, t] : [t, s];
        const len = Math.hypot(v.x - u.x, v.y - u.y) || 1;
        const nx = -(v.y - u.y) / len;
        const ny = (v.x - u.x) / len;
        const off = (k - (total - 1) / 2 || 0.5) * 22;
        const c = { x: (s.x + t.x) / 2 + nx * off, y: (s.y + t.y) / 2 + ny * off };
        const p0 = boundaryPoint(s, c);
        const p3 = boundaryPoint(t, c);
        drawn = cubic(p0, c, c, p3);
      }
    }
    // shorten the line so it ends at the base of the arrowhead
    const ax = drawn.tip.x - drawn.tail.x;
    const ay = drawn.tip.y - drawn.tail.y;
    const al = Math.hypot(ax, ay) || 1;
    const ux = ax / al;
    const uy = ay / al;
    const base = { x: drawn.tip.x - ux * ARROW_LENGTH, y: drawn.tip.y - uy * ARROW_LENGTH };
    const arrow = [
      drawn.tip,
      { x: base.x - uy * ARROW_HALF_WIDTH, y: base.y + ux * ARROW_HALF_WIDTH },
      { x: base.x + uy * ARROW_HALF_WIDTH, y: base.y - ux * ARROW_HALF_WIDTH },
    ];
    for (const p of [...drawn.hull, ...arrow]) bounds.add(p.x, p.y);
    const dash = e.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<g class="edge" data-source="${escapeXml(e.source)}" data-target="${escapeXml(e.target)}">` +
        `<path d="${drawn.head}${num(base.x)},${num(base.y)}" fill="none" stroke="${color}" stroke-width="${num(width)}"${dash}/>` +
        `<polygon points="${arrow.map((p) => `${num(p.x)},${num(p.y)}`).join(' ')}" fill="${color}"/>` +
        (e.label !== undefined && e.label !== ''
          ? `<text x="${num(drawn.mid.x)}" y="${num(drawn.mid.y - 3)}" text-anchor="middle" class="edge-label">${escapeXml(e.label)}</text>`
          : '') +
        `</g>`,
    );
    if (e.label)
      bounds.addBox(drawn.mid.x, drawn.mid.y - 3 - SVG_FONT_SIZE * 0.35, textWidth(e.label, SVG_FONT_SIZE) / 2, SVG_FONT_SIZE * 0.65);
  });

  const nodeParts: string[] = [];
  for (const n of graph.nodes) {
    const shape = n.shape ?? 'round-rectangle';
    const fill = n.fill ?? DEFAULT_FILL;
    const stroke = n.stroke ?? DEFAULT_STROKE;
    const left = n.x - n.width / 2;
    const top = n.y - n.height / 2;
    bounds.addBox(n.x, n.y, n.width / 2, n.height / 2);
    let body: string;
    if (shape === 'ellipse') {
      body = `<ellipse cx="${num(n.x)}" cy="${num(n.y)}" rx="${num(n.width / 2)}" ry="${num(n.height / 2)}" fill="${fill}" stroke="${stroke}"/>`;
    } else {
      const r = shape === 'round-rectangle' ? Math.min(8, n.width / 4, n.height / 4) : 0;
      body =
        `<rect x="${num(left)}" y="${num(top)}" width="${num(n.width)}" height="${num(n.height)}"` +
        (r > 0 ? ` rx="${num(r)}" ry="${num(r)}"` : '') +
        ` fill="${fill}" stroke="${stroke}"/>`;
    }
    const hasSub = n.sublabel !== undefined && n.sublabel !== '';
    const labelY = hasSub ? n.y - 2 : n.y + SVG_FONT_SIZE * 0.35;
    let text = `<text x="${num(n.x)}" y="${num(labelY)}" text-anchor="middle" class="node-label">${escapeXml(n.label)}</text>`;
    bounds.addBox(n.x, labelY - SVG_FONT_SIZE * 0.35, textWidth(n.label, SVG_FONT_SIZE) / 2, SVG_FONT_SIZE * 0.65);
    if (hasSub) {
      const subY = n.y + SVG_FONT_SIZE;
      text += `<text x="${num(n.x)}" y="${num(subY)}" text-anchor="middle" class="node-sublabel">${escapeXml(n.sublabel)}</text>`;
      bounds.addBox(n.x, subY - PORT_FONT_SIZE * 0.35, textWidth(n.sublabel, PORT_FONT_SIZE + 1) / 2, SVG_FONT_SIZE * 0.65);
    }
    let ports = '';
    if (n.ports) {
      for (const side of ['in', 'out'] as const) {
        const list = n.ports[side];
        list.forEach((name, k) => {
          const p = portPoint(n, side, k, list.length);
          // labels sit outside the node: inputs to the left, outputs to the right
          const lx = side === 'in' ? p.x - PORT_RADIUS - 2 : p.x + PORT_RADIUS + 2;
          const anchor = side === 'in' ? 'end' : 'start';
          ports +=
            `<g class="port port-${side}" data-port="${escapeXml(name)}">` +
            `<circle cx="${num(p.x)}" cy="${num(p.y)}" r="${PORT_RADIUS}" fill="${PAPER.background}" stroke="${stroke}"/>` +
            `<text x="${num(lx)}" y="${num(p.y - PORT_RADIUS - 1)}" text-anchor="${anchor}" class="port-label">${escapeXml(name)}</text>` +
            `</g>`;
          const w = textWidth(name, PORT_FONT_SIZE);
          bounds.addBox(p.x, p.y, PORT_RADIUS, PORT_RADIUS);
          bounds.add(side === 'in' ? lx - w : lx + w, p.y - PORT_RADIUS - 1 - PORT_FONT_SIZE);
        });
      }
    }
    nodeParts.push(`<g class="node" data-id="${escapeXml(n.id)}">${body}${text}${ports}</g>`);
  }

  if (bounds.empty) bounds.add(0, 0);
  const titleSize = SVG_FONT_SIZE * 1.4;
  const titleHeight = graph.title ? titleSize + 8 : 0;
  if (graph.title) bounds.add(bounds.minX + textWidth(graph.title, titleSize), bounds.minY);
  const minX = bounds.minX - padding;
  const minY = bounds.minY - padding - titleHeight;
  const width = bounds.maxX - bounds.minX + 2 * padding;
  const height = bounds.maxY - bounds.minY + 2 * padding + titleHeight;
  const title = graph.title
    ? `<title>${escapeXml(graph.title)}</title><text x="${num(bounds.minX)}" y="${num(minY + padding + titleSize)}" class="graph-title">${escapeXml(graph.title)}</text>`
    : '';
  const style =
    `<style>` +
    `text{font-family:${SVG_FONT_FAMILY};font-size:${SVG_FONT_SIZE}px;fill:${PAPER.text}}` +
    `.node-sublabel,.port-label{font-size:${PORT_FONT_SIZE}px;fill:${PAPER.muted}}` +
    `.edge-label{paint-order:stroke;stroke:${PAPER.background};stroke-width:3px;stroke-linejoin:round}` +
    `.graph-title{font-size:${num(SVG_FONT_SIZE * 1.4)}px;font-weight:bold}` +
    `</style>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${num(minX)} ${num(minY)} ${num(width)} ${num(height)}"` +
    ` width="${num(width)}" height="${num(height)}" font-family="${escapeXml(SVG_FONT_FAMILY)}" font-size="${SVG_FONT_SIZE}">` +
    style +
    title +
    `<g class="edges">${parts.join('')}</g>` +
    `<g class="nodes">${nodeParts.join('')}</g>` +
    `</svg>`
  );
}
