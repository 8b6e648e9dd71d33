/**
 * Link-level diff of two aligned circuits ("Overlay view" and "Tables and figures" of the diff screen).
 *
 * Every link of A is carried into B's names through the alignment (a link with an end that
 * has no counterpart stays A-only). Links are compared by (kind, to, toPort, from, fromPort)
 * where kind is soft (trainable matrix) or hard (fixed matrix):
 *   - matched:        both sides, |wB − wA| ≤ tolerance
 *   - sign-flipped:   both sides, opposite non-zero signs (and not matched)
 *   - weight-changed: both sides otherwise
 *   - only-a / only-b: one side only (Δw = −wA or wB)
 * Links with |w| ≤ minAbsWeight are ignored (the overlay's |w| threshold slider).
 */
import { linkLabel, matrixLinks, type Link, type MachineSpec, type WeightedLink } from '../machine/spec';
import type { Alignment } from './align';

export type LinkKind = 'soft' | 'hard';
export type LinkStatus = 'matched' | 'weight-changed' | 'sign-flipped' | 'only-a' | 'only-b';

export interface LinkDiffOptions {
  /** Largest |Δw| still counted as the same weight (default 1e-9). */
  readonly tolerance?: number;
  /** Links with |w| at or below this are left out on both sides (default: none, every stored link counts). */
  readonly minAbsWeight?: number;
}

export interface LinkRow {
  readonly kind: LinkKind;
  readonly status: LinkStatus;
  /** The link in A's names (absent for only-b). */
  readonly a?: Link;
  /** The link in B's names (absent for only-a). */
  readonly b?: Link;
  readonly wA: number | null;
  readonly wB: number | null;
  /** wB − wA, a missing side counting 0. */
  readonly dw: number;
  /** Human-readable `to.port ← from.port` (A's names, or B's for only-b; `a ⇄ b` where names differ). */
  readonly label: string;
}

export interface LinkDiffSummary {
  readonly soft: { readonly a: number; readonly b: number };
  readonly hard: { readonly a: number; readonly b: number };
  readonly counts: Readonly<Record<LinkStatus, number>>;
  /** |A ∩ B| / |A ∪ B| over aligned link identities (1 for two empty circuits). */
  readonly jaccard: number;
  /** Σ |Δw| over every row. */
  readonly sumAbsDelta: number;
}

export interface LinkDiff {
  /** Sorted by |Δw| descending, then kind, then label. */
  readonly rows: readonly LinkRow[];
  readonly summary: LinkDiffSummary;
}

function keyOf(kind: LinkKind, l: Link): string {
  return [kind, l.to, l.toPort, l.from, l.fromPort].join('\u0000');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pairedName(a: string, b: string): string {
  return a === b ? a : `${a}⇄${b}`;
}

/** Classifies the links of two aligned circuits. */
export function diffLinks(specA: MachineSpec, specB: MachineSpec, alignment: Alignment, options: LinkDiffOptions = {}): LinkDiff {
  const tolerance = options.tolerance ?? 1e-9;
  const minAbs = options.minAbsWeight ?? -1;
  const aToB = new Map(alignment.pairs.map((p) => [p.a, p.b]));
  const links = (spec: MachineSpec): Array<[LinkKind, WeightedLink]> => [
    ...matrixLinks(spec.trainable).map((l) => ['soft', l] as [LinkKind, WeightedLink]),
    ...matrixLinks(spec.fixed).map((l) => ['hard', l] as [LinkKind, WeightedLink]),
  ];
  const keep = ([, l]: [LinkKind, WeightedLink]): boolean => Math.abs(l.weight) > minAbs;
  const linksA = links(specA).filter(keep);
  const linksB = links(specB).filter(keep);

  const bByKey = new Map<string, WeightedLink>();
  for (const [kind, l] of linksB) bByKey.set(keyOf(kind, l), l);
  const seenB = new Set<string>();
  const rows: LinkRow[] = [];
  for (const [kind, la] of linksA) {
    const to = aToB.get(la.to);
    const from = aToB.get(la.from);
    const a: Link = { to: la.to, toPort: la.toPort, from: la.from, fromPort: la.fromPort };
    const mapped = to !== undefined && from !== undefined ? { to, toPort: la.toPort, from, fromPort: la.fromPort } : undefined;
    const key = mapped ? keyOf(kind, mapped) : undefined;
    const lb = key === undefined ? undefined : bByKey.get(key);
    if (!lb || key === undefined || !mapped) {
      rows.push({ kind, status: 'only-a', a, wA: la.weight, wB: null, dw: -la.weight, label: linkLabel(a) });
      continue;
    }
    seenB.add(key);
    const dw = lb.weight - la.weight;
    const status: LinkStatus =
      Math.abs(dw) <= tolerance
        ? 'matched'
        : la.weight !== 0 && lb.weight !== 0 && Math.sign(la.weight) !== Math.sign(lb.weight)
          ? 'sign-flipped'
          : 'weight-changed';
    const label = `${pairedName(la.to, mapped.to)}.${la.toPort} ← ${pairedName(la.from, mapped.from)}.${la.fromPort}`;
    rows.push({ kind, status, a, b: mapped, wA: la.weight, wB: lb.weight, dw, label });
  }
  for (const [kind, lb] of linksB) {
    if (seenB.has(keyOf(kind, lb))) continue;
    const b: Link = { to: lb.to, toPort: lb.toPort, from: lb.from, fromPort: lb.fromPort };
    rows.push({ kind, status: 'only-b', b, wA: null, wB: lb.weight, dw: lb.weight, label: linkLabel(b) });
  }
  rows.sort((x, y) => Math.abs(y.dw) - Math.abs(x.dw) || cmp(x.kind, y.kind) || cmp(x.label, y.label) || cmp(x.status, y.status));

  const counts: Record<LinkStatus, number> = { matched: 0, 'weight-changed': 0, 'sign-flipped': 0, 'only-a': 0, 'only-b': 0 };
  let sumAbsDelta = 0;
  for (const r of rows) {
    counts[r.status]++;
    sumAbsDelta += Math.abs(r.dw);
  }
  const both = rows.length - counts['only-a'] - counts['only-b'];
  const count = (list: Array<[LinkKind, WeightedLink]>, kind: LinkKind): number => list.filter(([k]) => k === kind).length;
  return {
    rows,
    summary: {
      soft: { a: count(linksA, 'soft'), b: count(linksB, 'soft') },
      hard: { a: count(linksA, 'hard'), b: count(linksB, 'hard') },
      counts,
      jaccard: rows.length === 0 ? 1 : both / rows.length,
      sumAbsDelta,
    },
  };
}
