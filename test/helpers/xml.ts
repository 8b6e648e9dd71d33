// Strict XML well-formedness for tests of generated SVG / XHTML-compatible markup.
//
// Node has no DOMParser. Two real parsers (dev dependencies for this helper):
// sax (strict mode) and @xmldom/xmldom; each misses some errors the other catches (sax:
// duplicate attributes, two root elements; xmldom: a bare `&`), so a document must pass
// both, plus the two checks neither makes: no character XML 1.0 forbids, no raw `<` inside
// an attribute value. The xmldom Document is returned for queries.
import { DOMParser } from '@xmldom/xmldom';
import sax from 'sax';

/** Every well-formedness problem found in `text` (empty when it is well-formed XML). */
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.exec(text);
  if (bad) problems.push(`forbidden character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${bad.index}`);
  const lt = /="[^"]*<[^"]*"/.exec(text);
  if (lt) problems.push(`raw < in an attribute value: ${lt[0].slice(0, 60)}`);
  const p = sax.parser(true, {});
  p.onerror = (e: Error) => {
    problems.push(`sax: ${e.message.split('\n')[0]}`);
    (p as { error: Error | null }).error = null;
    p.resume();
  };
  p.write(text).close();
  const report = (kind: string) => (msg: string) => problems.push(`xmldom ${kind}: ${msg.split('\n')[0]}`);
  new DOMParser({ errorHandler: { warning: report('warning'), error: report('error'), fatalError: report('fatal') } }).parseFromString(
    text,
    'application/xml',
  );
  return problems;
}

/** Parses `text` as XML, throwing with every problem listed unless it is well-formed. */
export function parseXmlStrict(text: string): Document {
  const problems = xmlProblems(text);
  if (problems.length > 0) throw new Error(`not well-formed XML:\n${problems.join('\n')}`);
  return new DOMParser().parseFromString(text, 'application/xml');
}

/** Elements named `tag` anywhere under `root`, as an array. */
export function elements(root: Document | Element, tag: string): Element[] {
  return Array.from(root.getElementsByTagName(tag));
}
