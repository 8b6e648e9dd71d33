/**
 * The minimality certificate of a run, read from its event log: the last `certificate`
 * event (one per attempt; the last is the result's). Read defensively, like every event, so
 * a record from an older or newer build shows what it has.
 */
import type { EventRecord } from '@shared/api/records';

export interface CertifiedLink {
  readonly link: string;
  /** Best training loss reached without the link (null: not a finite number). */
  readonly lossWithout: number | null;
}

export interface CertificateMove {
  readonly kind: string;
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

export interface CertificateView {
  /** Why there is no certificate (the result fails its verdict, the run was stopped during the check). */
  readonly refused: string | undefined;
  readonly linksBefore: number | null;
  readonly softLinks: number | null;
  /** The training-loss bound a smaller circuit had to keep. */
  readonly trainLossBound: number | null;
  readonly moves: readonly CertificateMove[];
  readonly necessary: readonly CertifiedLink[];
  /** Neurons that could be neither bypassed nor replaced by a constant, with the loss reached. */
  readonly neurons: readonly { readonly neuron: string; readonly move: string; readonly lossWithout: number | null }[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const records = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The run's certificate (its last `certificate` event), or undefined when it has none. */
export function certificateOf(events: readonly EventRecord[]): CertificateView | undefined {
  let last: EventRecord | undefined;
  for (const e of events) if (e.kind === 'certificate') last = e;
  if (!last) return undefined;
  const d = last.data;
  const bounds = typeof d['bounds'] === 'object' && d['bounds'] !== null ? (d['bounds'] as Record<string, unknown>) : {};
  return {
    refused: str(d['refused']),
    linksBefore: num(d['linksBefore']),
    softLinks: num(d['softLinks']),
    trainLossBound: num(bounds['trainLoss']),
    moves: records(d['removals']).map((r) => ({ kind: str(r['kind']) ?? '?', removed: strings(r['removed']), added: strings(r['added']) })),
    necessary: records(d['necessary']).map((r) => ({ link: str(r['link']) ?? '?', lossWithout: num(r['lossWithout']) })),
    neurons: records(d['bypasses']).map((r) => ({
      neuron: str(r['neuron']) ?? '?',
      move: str(r['move']) ?? 'bypass',
      lossWithout: num(r['lossWithout']),
    })),
  };
}

/** What a certificate says about one link of the circuit it certifies. */
export interface LinkEvidence {
  /** Best training loss reached without the link (null: not a finite number). */
  readonly lossWithout: number | null;
}

/**
 * The certificate's verdict per link of `labels` (the circuit's soft links as
 * `to.port ← from.port`), or why it does not apply: a refused certificate, or one whose
 * links are not this circuit's (a certificate of another attempt, a snapshot before the end).
 */
export function linkEvidence(
  certificate: CertificateView,
  labels: readonly string[],
): { readonly links: ReadonlyMap<string, LinkEvidence> } | { readonly notApplicable: string } {
  if (certificate.refused !== undefined) return { notApplicable: `no certificate: ${certificate.refused}` };
  const necessary = new Map(certificate.necessary.map((n) => [n.link, { lossWithout: n.lossWithout }]));
  const own = new Set(labels);
  const foreign = [...necessary.keys()].filter((l) => !own.has(l));
  if (foreign.length > 0 || necessary.size !== own.size) {
    return {
      notApplicable: `the certificate covers ${necessary.size} links, this circuit has ${own.size}${foreign.length ? ` (not here: ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''})` : ''}`,
    };
  }
  return { links: necessary };
}
