/**
 * The minimality certificate in the diff (src-renderer/diff/certificates.ts,
 * src-renderer/lib/certificate.ts): a side is certified only when the certificate's links are
 * exactly its circuit's soft links; then each soft link of a row carries its evidence.
 */
import { describe, expect, it } from 'vitest';
import { alignCircuits } from '../../src-shared/diff/align';
import { diffLinks } from '../../src-shared/diff/link-diff';
import { linkLabel, linksToMatrix, matrixLinks, type MachineSpec } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { rowEvidence, sideCertificate } from '../../src-renderer/diff/certificates';
import type { CertificateView } from '../../src-renderer/lib/certificate';

const hand = handcraftedDetector();
const links = matrixLinks(hand.trainable);
const view = (necessary: { link: string; lossWithout: number | null }[], refused?: string): CertificateView => ({
  refused,
  linksBefore: necessary.length,
  softLinks: necessary.length,
  trainLossBound: 0.001,
  moves: [],
  necessary,
  neurons: [],
});
const full = view(links.map((l, i) => ({ link: linkLabel(l), lossWithout: 10 + i })));

describe('certificates in the diff', () => {
  it('certifies a side whose soft links are exactly the certificate’s, and marks each soft row with its loss', () => {
    const side = sideCertificate(hand, full)!;
    expect(side.certified).toBe(true);
    const diff = diffLinks(hand, hand, alignCircuits(hand, hand));
    const soft = diff.rows.filter((r) => r.kind === 'soft');
    expect(soft).toHaveLength(links.length);
    for (const r of soft) {
      const ev = rowEvidence(r, side, undefined);
      expect(ev.a?.lossWithout).toBe(10 + links.findIndex((l) => linkLabel(l) === linkLabel(r.a!)));
      expect(ev.b).toBeUndefined();
    }
    // hard links are not part of a certificate
    for (const r of diff.rows.filter((x) => x.kind === 'hard')) expect(rowEvidence(r, side, side)).toEqual({});
  });

  it('does not apply to another circuit: one link more, one link fewer, or a refused check', () => {
    const fewer: MachineSpec = { ...hand, trainable: linksToMatrix(links.slice(1)) };
    const a = sideCertificate(fewer, full)!;
    expect(a).toEqual({ certified: false, note: expect.stringMatching(/covers 8 links, this circuit has 7 \(not here: /) });
    const partial = view(full.necessary.slice(1));
    expect(sideCertificate(hand, partial)).toEqual({ certified: false, note: 'the certificate covers 7 links, this circuit has 8' });
    expect(sideCertificate(hand, view([], 'the result fails its verdict: training loss 1 > 0.001'))).toEqual({
      certified: false,
      note: 'no certificate: the result fails its verdict: training loss 1 > 0.001',
    });
    expect(sideCertificate(hand, undefined)).toBeUndefined();
  });
});
