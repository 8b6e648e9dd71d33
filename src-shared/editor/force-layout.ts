/**
 * A force-directed placement (Fruchterman–Reingold) for the editor's recurrent machines:
 * every pair of neurons repels (by the gap between their boxes, approximated by circles),
 * linked pairs attract (more when their links are stronger; on dense machines every spring
 * is weakened so that the springs together do not outweigh the repulsion), a weak pull
 * keeps separate components together; moves are capped by a temperature that cools
 * linearly. A last pass pushes overlapping boxes apart along their shorter overlap.
 *
 * Pure and deterministic: it starts from the given positions (coinciding ones are spread
 * by their index) and uses no random numbers. O(iterations × n²): ~10 ms for the 45
 * neurons of the 1486-link machine. (Cytoscape's `cose` clips node shapes pairwise on
 * every iteration and took 2–6 s on the same machine in Chromium.)
 */
import type { Position } from './document';

/** Space kept between two boxes. */
const MARGIN = 12;

export interface ForceNode {
  readonly name: string;
  readonly position: Position;
  /** Box size: the gap between two boxes is what repels. */
  readonly width: number;
  readonly height: number;
}

export interface ForcePair {
  readonly source: string;
  readonly target: string;
  /** Σ|w| of the links between them (≥ 0). */
  readonly strength: number;
}

export interface ForceOptions {
  /** Preferred gap between linked boxes (default 80). */
  readonly edgeLength?: number;
  readonly iterations?: number;
}

export function forceDirectedPositions(
  nodes: readonly ForceNode[],
  pairs: readonly ForcePair[],
  options: ForceOptions = {},
): Map<string, Position> {
  const n = nodes.length;
  const out = new Map<string, Position>();
  if (n === 0) return out;
  const k = options.edgeLength ?? 80;
  const iterations = options.iterations ?? 300;
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.name, i));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const r = new Float64Array(n);
  const seen = new Set<string>();
  nodes.forEach((node, i) => {
    let px = Number.isFinite(node.position.x) ? node.position.x : 0;
    let py = Number.isFinite(node.position.y) ? node.position.y : 0;
    // spread coinciding starts deterministically
    while (seen.has(`${px},${py}`)) {
      px += 7 + (i % 5);
      py += 11 + (i % 3);
    }
    seen.add(`${px},${py}`);
    x[i] = px;
    y[i] = py;
    r[i] = Math.hypot(node.width, node.height) / 2;
  });
  let maxStrength = 0;
  for (const p of pairs) if (Number.isFinite(p.strength)) maxStrength = Math.max(maxStrength, p.strength);
  const springs: Array<[number, number, number]> = [];
  for (const p of pairs) {
    const a = index.get(p.source);
    const b = index.get(p.target);
    if (a === undefined || b === undefined || a === b) continue;
    const s = maxStrength > 0 && Number.isFinite(p.strength) ? p.strength / maxStrength : 1;
    springs.push([a, b, 0.3 + 0.7 * s]);
  }
  const density = Math.min(1, (2 * n) / Math.max(1, springs.length));
  // cool from a tenth of the starting spread (at least a few boxes) down to nothing
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, x[i]!);
    maxX = Math.max(maxX, x[i]!);
    minY = Math.min(minY, y[i]!);
    maxY = Math.max(maxY, y[i]!);
  }
  const t0 = Math.max(4 * k, 0.1 * Math.hypot(maxX - minX, maxY - minY));
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  const gravity = 0.02;
  for (let it = 0; it < iterations; it++) {
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ux = x[i]! - x[j]!;
        let uy = y[i]! - y[j]!;
        let d = Math.hypot(ux, uy);
        if (d < 1e-6) {
          ux = 1;
          uy = 0;
          d = 1e-6;
        }
        const gap = Math.max(d - r[i]! - r[j]!, 1);
        const f = (k * k) / gap;
        const fx = (ux / d) * f;
        const fy = (uy / d) * f;
        dx[i] = dx[i]! + fx;
        dy[i] = dy[i]! + fy;
        dx[j] = dx[j]! - fx;
        dy[j] = dy[j]! - fy;
      }
    }
    for (const [a, b, s] of springs) {
      const ux = x[a]! - x[b]!;
      const uy = y[a]! - y[b]!;
      const d = Math.hypot(ux, uy);
      if (d < 1e-6) continue;
      const gap = Math.max(d - r[a]! - r[b]!, 0);
      const f = (density * s * gap * gap) / k;
      const fx = (ux / d) * f;
      const fy = (uy / d) * f;
      dx[a] = dx[a]! - fx;
      dy[a] = dy[a]! - fy;
      dx[b] = dx[b]! + fx;
      dy[b] = dy[b]! + fy;
    }
    let cx = 0;
    let cy = 0;
    for (let i = 0; i < n; i++) {
      cx += x[i]!;
      cy += y[i]!;
    }
    cx /= n;
    cy /= n;
    const t = t0 * (1 - it / iterations);
    for (let i = 0; i < n; i++) {
      const gx = dx[i]! - gravity * (x[i]! - cx) * k;
      const gy = dy[i]! - gravity * (y[i]! - cy) * k;
      const m = Math.hypot(gx, gy);
      if (m > 0) {
        const step = Math.min(m, t);
        x[i] = x[i]! + (gx / m) * step;
        y[i] = y[i]! + (gy / m) * step;
      }
    }
  }
  // no two boxes on top of each other
  const w = nodes.map((node) => node.width / 2 + MARGIN);
  const h = nodes.map((node) => node.height / 2 + MARGIN);
  for (let pass = 0; pass < 100; pass++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const ox = w[i]! + w[j]! - Math.abs(x[i]! - x[j]!);
        const oy = h[i]! + h[j]! - Math.abs(y[i]! - y[j]!);
        if (ox <= 0 || oy <= 0) continue;
        moved = true;
        if (ox / (w[i]! + w[j]!) < oy / (h[i]! + h[j]!)) {
          const d = (x[i]! < x[j]! || (x[i] === x[j] && i < j) ? -1 : 1) * (ox / 2 + 0.5);
          x[i] = x[i]! + d;
          x[j] = x[j]! - d;
        } else {
          const d = (y[i]! < y[j]! || (y[i] === y[j] && i < j) ? -1 : 1) * (oy / 2 + 0.5);
          y[i] = y[i]! + d;
          y[j] = y[j]! - d;
        }
      }
    }
    if (!moved) break;
  }
  nodes.forEach((node, i) => out.set(node.name, { x: Math.round(x[i]! * 100) / 100, y: Math.round(y[i]! * 100) / 100 }));
  return out;
}
