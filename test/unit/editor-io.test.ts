// Issue 6, editor core: import/export of documents; every prototype fixture imports to the
// right graph and malformed files give readable errors.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentsEqual, documentToGraph, documentToSpec, type EditorDocument } from '../../src-shared/editor/document';
import { generateHandcrafted, generateLayered } from '../../src-shared/editor/generators';
import { exportDocumentJson, importDocumentText, ImportError } from '../../src-shared/editor/io';
import { validateDocument } from '../../src-shared/editor/validate';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { matrixLinks } from '../../src-shared/machine/spec';

const DIR = fileURLToPath(new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url));

describe('editor import/export', () => {
  it('own JSON round trip is lossless, hard links, non-finite weights and params included', () => {
    const base = generateLayered();
    const doc: EditorDocument = {
      neurons: [...base.neurons, { name: 'k', type: 'const', position: { x: 1.5, y: -2 }, params: { a: 2 } }],
      links: [
        ...base.links.map((l, i) => (i === 20 ? { ...l, weight: NaN } : i === 21 ? { ...l, weight: -Infinity } : l)),
        { to: 'dot-1-1', toPort: 'dict-1', from: 'dot-1-1', fromPort: 'dot', weight: 0.25, soft: false },
      ],
    };
    const { document, kind } = importDocumentText(exportDocumentJson(doc));
    expect(kind).toBe('document');
    expect(documentsEqual(document, doc)).toBe(true);
  });

  it('architecture records and their graphs import', () => {
    const doc = generateHandcrafted();
    const graph = documentToGraph(doc);
    expect(documentsEqual(importDocumentText(JSON.stringify(graph)).document, doc)).toBe(true);
    const record = { id: 'x', name: 'h', version: 1, description: '', graph, createdAt: 0 };
    const r = importDocumentText(JSON.stringify(record));
    expect(r.kind).toBe('architecture');
    expect(documentsEqual(r.document, doc)).toBe(true);
  });

  it('every prototype fixture imports to the graph of its matrix', () => {
    for (const f of readdirSync(DIR).filter((x) => x.endsWith('.json'))) {
      const text = readFileSync(DIR + f, 'utf8');
      const { document, kind } = importDocumentText(text, f);
      expect(kind).toBe('prototype-matrix');
      const spec = importPrototypeMatrix(text, f);
      expect(documentToSpec(document).neurons).toEqual(spec.neurons);
      expect(document.links.filter((l) => l.soft)).toHaveLength(matrixLinks(spec.trainable).length);
      expect(validateDocument(document).filter((i) => i.severity === 'error')).toEqual([]);
    }
  });

  it.each([
    ['{"a": ', /line 1/],
    ['[1, 2]', /^test\.json is a JSON array \(2 items\), not an architecture: the editor imports an architecture/],
    ['"x"', /^test\.json is a JSON string, not an architecture/],
    [
      '{"format": "dmm-lab-problem", "name": "last-three"}',
      /^test\.json is a DMM Lab problem \("last-three"\) — import it on the Problems screen, not an architecture/,
    ],
    ['{"name": "p", "teacher": {}, "outputs": []}', /^test\.json is a DMM Lab problem \("p"\)/],
    ['{"format": "dmm-lab-run", "runs": []}', /^test\.json is a DMM Lab run export — import it in the run browser, not an architecture/],
    [
      '{"format": "svg-thing"}',
      /^test\.json is a file of format "svg-thing", not an architecture: .*format "dmm-lab-architecture".*prototype matrix file\.$/,
    ],
    [
      '{"format": "dmm-lab-architecture", "version": 1, "neurons": [{"name": "", "type": "dot", "position": {"x": 0, "y": 0}}], "links": []}',
      /neurons\.0\.name/,
    ],
    ['{"format": "dmm-lab-architecture", "version": 2, "neurons": [], "links": []}', /version/],
    ['{"neurons": [{"name": "a"}], "matrix": {}}', /neurons\.0\.type/],
    ['{"accum-1-1": {"dict-2": {"input": {"char": "x"}}}}', /accum-1-1/],
    ['{"blob-1-1": {"dict-2": {"input": {"char": 1}}}}', /unknown neuron type prefix/],
    ['{"norm-1-1": {"dict-9": {"input": {"char": 1}}}}', /no input port "dict-9"/],
  ])('malformed %s gives a readable ImportError', (text, message) => {
    let err: unknown;
    try {
      importDocumentText(text, 'test.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toMatch(message);
  });
});
