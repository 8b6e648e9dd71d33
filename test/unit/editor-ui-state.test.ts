/**
 * The editor screen's state (runes, compiled by the svelte plugin): one command stack for
 * every edit, selection, link mode with registry ports, exact weights, clipboard, generators,
 * import that leaves the document untouched on a malformed file, library graph round trip.
 */
import { describe, expect, it } from 'vitest';
import { builtinProblem } from '@shared/problems/builtin';
import { documentsEqual } from '@shared/editor/document';
import { generateHandcrafted } from '@shared/editor/generators';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import { EditorState, generate, inputPorts, outputPorts, paletteTypes, parseWeight } from '../../src-renderer/editor/editor-state.svelte';

/** The problem Evaluate judges against in these tests (the editor reads it through the API). */
const DUPLICATES = builtinProblem('duplicates')!;

const softLink = (s: EditorState) => {
  const l = s.doc.links.find((x) => x.soft);
  if (!l) throw new Error('no soft link');
  return l;
};

describe('parseWeight', () => {
  it('accepts finite decimal and exponent numbers, exactly', () => {
    expect(parseWeight(' -0.25 ')).toEqual({ ok: true, value: -0.25 });
    expect(parseWeight('1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseWeight('.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseWeight('0.1')).toEqual({ ok: true, value: 0.1 });
  });
  it('refuses empty, non-numeric, hex, infinite and overflowing text', () => {
    for (const t of ['', '  ', 'abc', '0x10', 'Infinity', 'NaN', '1e999', '1,5', '--1']) expect(parseWeight(t).ok).toBe(false);
  });
});

describe('palette', () => {
  it('lists every registry type with its ports', () => {
    expect(paletteTypes().map((t) => t.name)).toEqual([...NEURON_TYPES.keys()]);
    expect(outputPorts('accum').length).toBeGreaterThan(0);
    expect(inputPorts('output').length).toBeGreaterThan(0);
    expect(inputPorts('no-such-type')).toEqual([]);
  });
});

describe('EditorState', () => {
  it('adds neurons from the palette named after their type (then -2, -3, …) and their hard self-links, undone in one step each', () => {
    const s = new EditorState();
    expect(s.canUndo).toBe(false);
    expect(s.addNeuron('accum')).toBe('accum');
    expect(s.addNeuron('accum')).toBe('accum-2');
    expect(s.doc.neurons.map((n) => n.name)).toEqual(['accum', 'accum-2']);
    const self = s.doc.links.filter((l) => l.from === 'accum' && l.to === 'accum');
    expect(self.length).toBe(NEURON_TYPES.get('accum')?.selfLinks.length);
    expect(self.every((l) => !l.soft)).toBe(true);
    expect(s.selectedNeurons).toEqual(['accum-2']);
    expect(s.neuron?.name).toBe('accum-2');
    expect(s.canUndo).toBe(true);
    s.undo();
    expect(s.doc.neurons.map((n) => n.name)).toEqual(['accum']);
    expect(s.selectedNeurons).toEqual([]); // the undone neuron leaves the selection
    expect(s.canRedo).toBe(true);
    s.redo();
    expect(s.doc.neurons.length).toBe(2);
  });

  it('generate, set a weight exactly, undo and redo', () => {
    const s = new EditorState();
    s.generate('handcrafted');
    expect(documentsEqual(s.doc, generateHandcrafted())).toBe(true);
    expect(s.undoLabel).toMatch(/hand-crafted/);
    const l = softLink(s);
    s.select([], [l]);
    expect(s.link).toEqual(l);
    expect(s.setWeight(l, 'x')).toMatch(/not a number/);
    expect(s.undoLabel).toMatch(/hand-crafted/); // nothing recorded
    expect(s.setWeight(l, '-2.5e-1')).toBeNull();
    expect(s.link?.weight).toBe(-0.25);
    s.undo();
    expect(s.link?.weight).toBe(l.weight);
    s.redo();
    expect(s.link?.weight).toBe(-0.25);
    s.undo();
    s.undo();
    expect(s.doc.neurons.length).toBe(0);
  });

  it('toggles soft/hard keeping the link selected, and renames follow the selection', () => {
    const s = new EditorState(generateHandcrafted());
    const l = softLink(s);
    s.select([], [l]);
    s.toggleSoft(l);
    expect(s.link?.soft).toBe(false);
    const n = s.doc.neurons[0]?.name ?? '';
    s.select([n]);
    expect(s.rename(n, ' renamed ')).toBe(true);
    expect(s.selectedNeurons).toEqual(['renamed']);
    expect(s.neuron?.name).toBe('renamed');
    const other = s.doc.neurons[1]?.name ?? '';
    expect(s.rename('renamed', other)).toBe(false);
    expect(s.error).toMatch(/already exists/);
  });

  it('link mode: source then target, ports from the registry, weight validated', () => {
    const s = new EditorState();
    const a = s.addNeuron('input') ?? '';
    const b = s.addNeuron('accum') ?? '';
    s.toggleLinkMode();
    s.pickForLink(a);
    expect(s.pending?.fromPort).toBe(outputPorts('input')[0]);
    expect(s.commitLink()).toMatch(/target/);
    s.pickForLink(b);
    expect(s.pending?.toPort).toBe(inputPorts('accum')[0]);
    if (!s.pending) throw new Error('no pending link');
    s.pending.weight = 'oops';
    expect(s.commitLink()).toMatch(/not a number/);
    s.pending.weight = '0.5';
    expect(s.commitLink()).toBeNull();
    const added = s.doc.links.find((l) => l.from === a && l.to === b);
    expect(added).toMatchObject({ weight: 0.5, soft: true });
    expect(s.link).toEqual(added);
    expect(s.pending).toBeNull();
  });

  it('links drawn from port to port: output → input either way round, one undo step each; same-side drops and repeats refused with the reason', () => {
    const s = new EditorState();
    s.addNeuron('input');
    s.addNeuron('accum');
    const before = s.doc;
    const depth = s.stack.undoDepth;
    expect(s.linkPorts({ name: 'input', port: 'char', dir: 'out' }, { name: 'accum', port: 'dict-2', dir: 'in' })).toBeNull();
    expect(s.stack.undoDepth).toBe(depth + 1);
    const added = s.doc.links.find((l) => l.to === 'accum' && l.toPort === 'dict-2');
    expect(added).toEqual({ to: 'accum', toPort: 'dict-2', from: 'input', fromPort: 'char', weight: 1, soft: true });
    expect(s.link).toEqual(added);
    // dragged the other way round: from the input port back to the output port
    expect(s.linkPorts({ name: 'accum', port: 'dict-1', dir: 'in' }, { name: 'accum', port: 'dict', dir: 'out' })).toBeNull();
    expect(s.doc.links.filter((l) => l.to === 'accum' && l.toPort === 'dict-1' && l.from === 'accum' && l.soft)).toHaveLength(1);
    const now = s.doc;
    expect(s.linkPorts({ name: 'accum', port: 'dict-1', dir: 'in' }, { name: 'accum', port: 'dict-2', dir: 'in' })).toMatch(
      /input port like accum\.dict-1/,
    );
    expect(s.linkPorts({ name: 'input', port: 'char', dir: 'out' }, { name: 'accum', port: 'dict', dir: 'out' })).toMatch(
      /output port like input\.char/,
    );
    expect(s.linkPorts({ name: 'input', port: 'char', dir: 'out' }, { name: 'accum', port: 'dict-2', dir: 'in' })).toMatch(
      /already exists/,
    );
    expect(s.doc).toBe(now);
    s.undo();
    s.undo();
    expect(s.doc).toBe(before);
  });

  it('the hand-crafted detector built from the palette by hand evaluates to zero loss; a changed weight does not', () => {
    const s = new EditorState();
    for (const t of ['timer', 'input', 'const_1', 'eos', 'output', 'accum', 'norm', 'compare', 'dot']) expect(s.addNeuron(t)).toBe(t);
    const link = (from: string, fromPort: string, to: string, toPort: string) =>
      expect(s.linkPorts({ name: from, port: fromPort, dir: 'out' }, { name: to, port: toPort, dir: 'in' })).toBeNull();
    link('timer', 'timer', 'input', 'timer');
    s.toggleSoft(s.link!); // input.timer ← timer.timer is a hard link
    link('input', 'char', 'accum', 'dict-2');
    link('accum', 'dict', 'norm', 'dict');
    link('norm', 'norm', 'compare', 'dict-1');
    link('const_1', 'const_1', 'compare', 'dict-2');
    link('accum', 'dict', 'dot', 'dict-1');
    link('eos', 'char', 'dot', 'dict-2');
    link('compare', 'true', 'output', 'dict-1');
    link('dot', 'dot', 'output', 'dict-2');
    const key = (l: { to: string; toPort: string; from: string; fromPort: string; soft: boolean; weight: number }) =>
      `${l.soft}|${l.to}.${l.toPort}<${l.from}.${l.fromPort}=${l.weight}`;
    expect(new Set(s.doc.links.map(key))).toEqual(new Set(generateHandcrafted().links.map(key)));
    expect(s.issues.filter((i) => i.severity === 'error')).toEqual([]);

    const r = s.evaluate(DUPLICATES);
    expect(r?.strings.length).toBeGreaterThan(1);
    expect(r?.total).toBe(0);
    expect(s.evaluationError).toBeNull();

    const dot = s.doc.links.find((l) => l.to === 'output' && l.toPort === 'dict-2')!;
    expect(s.setWeight(dot, '0.5')).toBeNull();
    expect(s.evaluate(DUPLICATES)?.total).toBeGreaterThan(0.01);
    expect(s.setWeight({ ...dot }, '1')).toBeNull();
    expect(s.evaluate(DUPLICATES)?.total).toBe(0);
  });

  it('evaluation of a document that cannot run says why and keeps the document', () => {
    const s = new EditorState();
    s.run({ kind: 'addNeuron', neuron: { name: 'x', type: 'no-such-type', position: { x: 0, y: 0 } } });
    const doc = s.doc;
    expect(s.evaluate(DUPLICATES)).toBeNull();
    expect(s.evaluationError).toMatch(/cannot evaluate: .*no-such-type/);
    expect(s.doc).toBe(doc);
  });

  it('select all, copy, paste (one step), delete (one step)', () => {
    const s = new EditorState(generateHandcrafted());
    const n0 = s.doc.neurons.length;
    const l0 = s.doc.links.length;
    s.selectAll();
    expect(s.selectedNeurons.length).toBe(n0);
    expect(s.copy()).toBe(n0);
    s.paste();
    expect(s.doc.neurons.length).toBe(2 * n0);
    expect(s.doc.links.length).toBe(2 * l0);
    expect(s.selectedNeurons.every((n) => n.endsWith('-copy'))).toBe(true);
    s.deleteSelection();
    expect(s.doc.neurons.length).toBe(n0);
    s.undo();
    expect(s.doc.neurons.length).toBe(2 * n0);
    s.undo();
    expect(documentsEqual(s.doc, generateHandcrafted())).toBe(true);
  });

  it('moves only what changed, as one command; layout is one step', () => {
    const s = new EditorState(generateHandcrafted());
    const [a, b] = s.doc.neurons;
    if (!a || !b) throw new Error('no neurons');
    s.moveMany([
      { name: a.name, position: a.position },
      { name: b.name, position: { x: b.position.x + 10, y: b.position.y } },
    ]);
    expect(s.stack.undoDepth).toBe(1);
    expect(s.doc.neurons[1]?.position.x).toBe(b.position.x + 10);
    s.moveMany([{ name: a.name, position: a.position }]);
    expect(s.stack.undoDepth).toBe(1);
    s.layout();
    s.undo();
    expect(s.doc.neurons[1]?.position.x).toBe(b.position.x + 10);
  });

  it('search by name is case-insensitive', () => {
    const s = new EditorState(generateHandcrafted());
    const name = s.doc.neurons[0]?.name ?? '';
    expect(s.search(name.toUpperCase())).toContain(name);
    expect(s.search('  ')).toEqual([]);
  });

  it('a malformed import leaves the document untouched; a good one is one undo step', () => {
    const s = new EditorState(generateHandcrafted());
    const before = s.doc;
    expect(s.importText('{ not json', 'bad.json')).toBe(false);
    expect(s.error).toBeTruthy();
    expect(s.doc).toBe(before);
    expect(s.importText(s.exportEditorJson(), 'good.json')).toBe(true);
    expect(documentsEqual(s.doc, before)).toBe(true);
    s.generate('recurrent');
    expect(
      s.importText(
        JSON.stringify({ neurons: before.neurons.map(({ name, type }) => ({ name, type })), matrix: JSON.parse(s.exportMatrixJson()) }),
        'm.json',
      ),
    ).toBe(true);
  });

  it('the library graph round trip keeps the hand-crafted detector (positions included)', () => {
    const s = new EditorState(generateHandcrafted());
    expect(s.saveWarnings()).toEqual([]);
    const g = s.graph();
    const t = new EditorState();
    t.openGraph(g, 'detector', 3);
    expect(t.name).toBe('detector');
    expect(t.savedVersion).toBe(3);
    expect(t.canUndo).toBe(false);
    expect(documentsEqual(t.doc, s.doc)).toBe(true);
  });

  it('every generator kind produces a document; validation is live', () => {
    for (const k of ['layered', 'recurrent', 'handcrafted', 'compare-free'] as const)
      expect(generate(k).document.neurons.length).toBeGreaterThan(0);
    const s = new EditorState();
    expect(s.issues.some((i) => i.code === 'missing-input')).toBe(true);
    s.addNeuron('input');
    expect(s.issues.some((i) => i.code === 'missing-input')).toBe(false);
  });
});
