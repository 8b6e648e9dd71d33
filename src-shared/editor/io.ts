/**
 * Import and export of editor documents: the editor's own architecture JSON
 * (lossless: positions, hard links, parameters), the store's ArchitectureGraph record, and
 * the prototype's matrix files. Every import either returns a complete document or throws
 * an ImportError whose message a person can act on: the caller keeps its current graph.
 */
import { z } from 'zod';
import { ArchitectureGraphSchema } from '../api/records';
import { RUN_EXPORT_FORMAT } from '../api/run-export';
import { PROBLEM_FORMAT } from '../problems/problem';
import { prototypeMatrixSpec } from '../io/prototype-matrix';
import { JsonInputError, parseCheckedJson } from '../io/checked-json';
import { parseVValue, VValueError } from '../vvalue/parse';
import { documentFromGraph, documentFromSpec, type EditorDocument, type EditorLink, type EditorNeuron } from './document';

export const DOCUMENT_FORMAT = 'dmm-lab-architecture';
export const DOCUMENT_VERSION = 1;

export class ImportError extends Error {
  override readonly name = 'ImportError';
}

/** JSON cannot hold NaN or ±Infinity: they are written as these strings. */
const weightSchema = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]);
const position = z.object({ x: z.number(), y: z.number() });
const DocumentJsonSchema = z.object({
  format: z.literal(DOCUMENT_FORMAT),
  version: z.literal(DOCUMENT_VERSION),
  neurons: z.array(
    z.object({ name: z.string().min(1), type: z.string().min(1), position, params: z.record(z.string(), z.unknown()).optional() }),
  ),
  links: z.array(
    z.object({ to: z.string(), toPort: z.string(), from: z.string(), fromPort: z.string(), weight: weightSchema, soft: z.boolean() }),
  ),
});

function jsonWeight(w: number): number | string {
  return Number.isFinite(w) ? w : String(w);
}

/** The editor's own JSON of a document (stable order: as in the document). */
export function exportDocumentJson(doc: EditorDocument): string {
  return (
    JSON.stringify(
      {
        format: DOCUMENT_FORMAT,
        version: DOCUMENT_VERSION,
        neurons: doc.neurons.map((n) => ({
          name: n.name,
          type: n.type,
          position: { x: n.position.x, y: n.position.y },
          ...(n.params ? { params: n.params } : {}),
        })),
        links: doc.links.map((l) => ({
          to: l.to,
          toPort: l.toPort,
          from: l.from,
          fromPort: l.fromPort,
          weight: jsonWeight(l.weight),
          soft: l.soft,
        })),
      },
      null,
      1,
    ) + '\n'
  );
}

function describeZod(e: z.ZodError, source: string): string {
  const first = e.issues[0];
  const where = first && first.path.length ? first.path.map(String).join('.') : '(top level)';
  return `${source}: ${where}: ${first?.message ?? 'invalid'}`;
}

export type ImportKind = 'document' | 'architecture' | 'prototype-matrix';

/**
 * A document from file text: the editor's JSON (`format: "dmm-lab-architecture"`), an
 * architecture record or its graph (`{neurons, matrix, positions?}`, optionally under
 * `graph`), or else a prototype matrix file. Throws ImportError.
 */
export function importDocumentText(text: string | Uint8Array, source = 'file'): { document: EditorDocument; kind: ImportKind } {
  let data: unknown;
  try {
    // strict: a key given twice (a neuron, a link) is refused rather than silently last-wins
    data = parseCheckedJson(text, { source });
  } catch (e) {
    if (e instanceof JsonInputError)
      throw new ImportError(e.problem === 'syntax' ? `${source} is not valid JSON: ${e.message.replace(`${source}: `, '')}` : e.message);
    throw e;
  }
  try {
    return importDocumentData(data, source);
  } catch (e) {
    if (e instanceof ImportError) throw e;
    if (e instanceof VValueError) throw new ImportError(`${source}: ${e.message}`);
    throw new ImportError(`${source}: ${(e as Error).message}`);
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** What the editor imports, said in full in every "wrong kind of file" message. */
export const IMPORTABLE =
  'the editor imports an architecture: its own JSON (format "dmm-lab-architecture"), a library architecture record ({"neurons", "matrix"}) or a prototype matrix file';

/** What a JSON value that is not an architecture is, in words (undefined: it may be one). */
function otherKind(data: unknown): string | undefined {
  if (Array.isArray(data)) return `a JSON array (${data.length} item${data.length === 1 ? '' : 's'})`;
  if (!isObject(data)) return data === null ? 'JSON null' : `a JSON ${typeof data}`;
  const format = data['format'];
  if (format === DOCUMENT_FORMAT) return undefined;
  if (format === PROBLEM_FORMAT || (format === undefined && 'teacher' in data && 'outputs' in data))
    return `a DMM Lab problem${typeof data['name'] === 'string' ? ` ("${data['name']}")` : ''} — import it on the Problems screen`;
  if (format === RUN_EXPORT_FORMAT) return 'a DMM Lab run export — import it in the run browser';
  if (format !== undefined) return `a file of format ${JSON.stringify(format)}`;
  return undefined;
}

export function importDocumentData(data: unknown, source = 'file'): { document: EditorDocument; kind: ImportKind } {
  const other = otherKind(data);
  if (other !== undefined) throw new ImportError(`${source} is ${other}, not an architecture: ${IMPORTABLE}.`);
  if (!isObject(data)) throw new ImportError(`${source}: expected a JSON object`);
  if ('format' in data) {
    const r = DocumentJsonSchema.safeParse(data);
    if (!r.success) throw new ImportError(describeZod(r.error, source));
    const neurons: EditorNeuron[] = r.data.neurons.map((n) =>
      n.params === undefined
        ? { name: n.name, type: n.type, position: n.position }
        : { name: n.name, type: n.type, position: n.position, params: parseVValue(n.params, [n.name, 'params']) },
    );
    const links: EditorLink[] = r.data.links.map((l) => ({ ...l }));
    return { document: { neurons, links }, kind: 'document' };
  }
  const graphData = isObject(data.graph) ? data.graph : data;
  if ('neurons' in graphData && 'matrix' in graphData) {
    const r = ArchitectureGraphSchema.safeParse(graphData);
    if (!r.success) throw new ImportError(describeZod(r.error, source));
    return { document: documentFromGraph(r.data), kind: 'architecture' };
  }
  return { document: documentFromSpec(prototypeMatrixSpec(data)), kind: 'prototype-matrix' };
}
