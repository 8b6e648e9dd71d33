/**
 * The minimality certificates of the two circuits of a diff: per side, whether the side's
 * run certified its circuit (every soft link necessary, with the best loss reached without
 * it) or why the certificate does not apply here, and per row of the link table the
 * evidence of each side's link.
 */
import type { LinkRow } from '@shared/diff/link-diff';
import { linkLabel, matrixLinks, type MachineSpec } from '@shared/machine/spec';
import { linkEvidence, type CertificateView, type LinkEvidence } from '../lib/certificate';

export type SideCertificate =
  { readonly certified: true; readonly links: ReadonlyMap<string, LinkEvidence> } | { readonly certified: false; readonly note: string };

/** A side's certificate against its circuit; undefined when the side has none (not a run's final circuit, or no check ran). */
export function sideCertificate(spec: MachineSpec, certificate: CertificateView | undefined): SideCertificate | undefined {
  if (!certificate) return undefined;
  const r = linkEvidence(certificate, matrixLinks(spec.trainable).map(linkLabel));
  return 'links' in r ? { certified: true, links: r.links } : { certified: false, note: r.notApplicable };
}

/** The evidence of each side's link of a row (soft links of a certified side only). */
export function rowEvidence(
  row: LinkRow,
  a: SideCertificate | undefined,
  b: SideCertificate | undefined,
): { readonly a?: LinkEvidence; readonly b?: LinkEvidence } {
  const of = (side: SideCertificate | undefined, link: LinkRow['a']): LinkEvidence | undefined =>
    side?.certified && link && row.kind === 'soft' ? side.links.get(linkLabel(link)) : undefined;
  const ea = of(a, row.a);
  const eb = of(b, row.b);
  return { ...(ea ? { a: ea } : {}), ...(eb ? { b: eb } : {}) };
}
