// Issue 6, editor core: the command stack (undo/redo, compound steps, max depth), copy/paste,
// building the hand-crafted detector link by link, and speed on the 1486-link machine.
import { describe, expect, it } from 'vitest';
import {
  addNeuronWithSelfLinks,
  applyCommand,
  CommandStack,
  copySelection,
  deleteSelectionCommand,
  duplicateCommand,
  EditError,
  freshName,
  generateCommand,
  layoutCommand,
  pasteCommand,
  pruneCommand,
  type Command,
} from '../../src-shared/editor/commands';
import {
  documentsEqual,
  documentToSpec,
  EMPTY_DOCUMENT,
  linkRef,
  type EditorDocument,
  type EditorLink,
} from '../../src-shared/editor/document';
import { generateHandcrafted, generateLayered, generateRecurrent } from '../../src-shared/editor/generators';
import { matrixLinks } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { DEFAULT_LOSS, DetectorLoss, TRAINING_STRING } from '../../src-shared/problems/duplicates/loss';
import { Rng } from '../../src-shared/util/rng';

const L = (to: string, toPort: string, from: string, fromPort: string, soft = true): EditorLink => ({
  to,
  toPort,
  from,
  fromPort,
  weight: 1,
  soft,
});

/** The hand-crafted detector as a person would draw it: 9 neurons, then its 11 links one by one. */
function buildDetector(stack: CommandStack): void {
  const types = ['timer', 'input', 'const_1', 'eos', 'output', 'accum', 'norm', 'compare', 'dot'];
  types.forEach((t, i) => stack.execute({ kind: 'addNeuron', neuron: { name: t, type: t, position: { x: 100 * i, y: 0 } } }));
  for (const link of [
    L('timer', 'timer', 'timer', 'timer', false),
    L('input', 'timer', 'timer', 'timer', false),
    L('accum', 'dict-1', 'accum', 'dict', false),
    L('accum', 'dict-2', 'input', 'char'),
    L('norm', 'dict', 'accum', 'dict'),
    L('compare', 'dict-1', 'norm', 'norm'),
    L('compare', 'dict-2', 'const_1', 'const_1'),
    L('dot', 'dict-1', 'accum', 'dict'),
    L('dot', 'dict-2', 'eos', 'char'),
    L('output', 'dict-1', 'compare', 'true'),
    L('output', 'dict-2', 'dot', 'dot'),
  ]) {
    stack.execute({ kind: 'addLink', link });
  }
}

/** A random command that applies to `doc` (deterministic given the generator). */
function randomCommand(doc: EditorDocument, rng: Rng, serial: number): Command {
  const pickN = () => doc.neurons[rng.int(doc.neurons.length)]!;
  const pickL = () => doc.links[rng.int(doc.links.length)]!;
  for (;;) {
    const k = rng.int(10);
    if (k === 0)
      return { kind: 'addNeuron', neuron: { name: `n${serial}`, type: 'accum', position: { x: rng.int(500), y: rng.int(500) } } };
    if (k === 1 && doc.neurons.length > 2) return { kind: 'removeNeuron', name: pickN().name };
    if (k === 2 && doc.neurons.length > 0) {
      const a = pickN();
      const b = pickN();
      const link = { to: a.name, toPort: `p${serial}`, from: b.name, fromPort: 'dict', weight: rng.normal(), soft: rng.int(2) === 0 };
      return { kind: 'addLink', link };
    }
    if (k === 3 && doc.links.length > 0) return { kind: 'removeLink', link: linkRef(pickL()) };
    if (k === 4 && doc.links.length > 0) return { kind: 'setWeight', link: linkRef(pickL()), weight: rng.normal() };
    if (k === 5 && doc.links.length > 0) {
      const l = pickL();
      const flipped = { ...l, soft: !l.soft };
      if (
        !doc.links.some(
          (m) => m.soft === flipped.soft && m.to === l.to && m.toPort === l.toPort && m.from === l.from && m.fromPort === l.fromPort,
        )
      ) {
        return { kind: 'toggleSoft', link: linkRef(l) };
      }
    }
    if (k === 6 && doc.neurons.length > 0) return { kind: 'rename', from: pickN().name, to: `r${serial}` };
    if (k === 7 && doc.neurons.length > 0)
      return { kind: 'move', moves: [{ name: pickN().name, position: { x: rng.int(900), y: rng.int(900) } }] };
    if (k === 8 && doc.neurons.length > 1) return duplicateCommand(doc, [pickN().name, pickN().name]).command;
    if (k === 9) return pruneCommand(doc, 0.5 * rng.next());
  }
}

describe('command stack', () => {
  it('building the hand-crafted detector link by link gives the built-in machine', () => {
    const stack = new CommandStack(EMPTY_DOCUMENT);
    buildDetector(stack);
    const spec = documentToSpec(stack.document);
    const ref = handcraftedDetector();
    expect(spec.trainable).toEqual(ref.trainable);
    expect(spec.fixed).toEqual(ref.fixed);
    expect(matrixLinks(spec.trainable)).toHaveLength(8);
    expect(matrixLinks(spec.fixed)).toHaveLength(3);
    expect(stack.undoDepth).toBe(20);
  });

  it('the drawn detector evaluates to zero loss against the built-in one', () => {
    const stack = new CommandStack(EMPTY_DOCUMENT);
    buildDetector(stack);
    const spec = documentToSpec(stack.document);
    const loss = new DetectorLoss(spec, [TRAINING_STRING]);
    const w = loss.machine.paramVector(spec.trainable);
    const r = loss.evaluate(w, TRAINING_STRING, { ...DEFAULT_LOSS, l1: 0 });
    expect(r.preregLoss).toBe(0);
    expect(r.loss).toBe(0);
    // and breaking one link makes it non-zero
    stack.execute({ kind: 'setWeight', link: linkRef(L('output', 'dict-2', 'dot', 'dot')), weight: 0.5 });
    const broken = documentToSpec(stack.document);
    const lb = new DetectorLoss(broken, [TRAINING_STRING]);
    expect(lb.evaluate(lb.machine.paramVector(broken.trainable), TRAINING_STRING, { ...DEFAULT_LOSS, l1: 0 }).preregLoss).toBeGreaterThan(
      0,
    );
  });

  it('random command sequences: undo all returns the initial document, redo all the final one', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const initial = generateRecurrent({ copies: 1, seed });
      const stack = new CommandStack(initial);
      const rng = new Rng(seed, 99);
      const states: EditorDocument[] = [initial];
      for (let i = 0; i < 150; i++) {
        const c = randomCommand(stack.document, rng, i);
        stack.execute(c);
        if (stack.document !== states[states.length - 1]) states.push(stack.document);
      }
      const final = stack.document;
      expect(stack.undoDepth).toBe(states.length - 1);
      // undo walks back through every intermediate state
      for (let i = states.length - 2; i >= 0; i--) {
        expect(stack.undo()).toBe(true);
        expect(stack.document).toBe(states[i]);
      }
      expect(stack.undo()).toBe(false);
      expect(documentsEqual(stack.document, initial)).toBe(true);
      while (stack.redo());
      expect(stack.document).toBe(final);
      // and replaying the logged commands from scratch gives an equal document (commands are pure)
      const replay = new CommandStack(initial);
      const rng2 = new Rng(seed, 99);
      for (let i = 0; i < 150; i++) replay.execute(randomCommand(replay.document, rng2, i));
      expect(documentsEqual(replay.document, final)).toBe(true);
    }
  });

  it('a new edit clears redo; no-op edits are not recorded; failing commands change nothing', () => {
    const stack = new CommandStack(generateHandcrafted());
    const link = linkRef(L('norm', 'dict', 'accum', 'dict'));
    stack.execute({ kind: 'setWeight', link, weight: 2 });
    stack.execute({ kind: 'setWeight', link, weight: 3 });
    stack.undo();
    expect(stack.canRedo).toBe(true);
    expect(stack.redoLabel).toMatch(/set weight/);
    stack.execute({ kind: 'move', moves: [{ name: 'norm', position: { x: 1, y: 2 } }] });
    expect(stack.canRedo).toBe(false);
    const depth = stack.undoDepth;
    stack.execute({ kind: 'move', moves: [] });
    stack.execute({ kind: 'rename', from: 'norm', to: 'norm' });
    expect(stack.undoDepth).toBe(depth);
    const before = stack.document;
    expect(() => stack.execute({ kind: 'rename', from: 'norm', to: 'accum' })).toThrow(EditError);
    expect(() => stack.execute({ kind: 'addLink', link: L('norm', 'dict', 'accum', 'dict') })).toThrow(/already exists/);
    expect(() => stack.execute({ kind: 'removeNeuron', name: 'nobody' })).toThrow(EditError);
    expect(() =>
      stack.execute(pasteCommand(before, { neurons: [{ name: 'x', type: 'dot', position: { x: NaN, y: 0 } }], links: [] }).command),
    ).toThrow(/finite/);
    expect(stack.document).toBe(before);
    expect(stack.undoDepth).toBe(depth);
  });

  it('keeps at most maxDepth steps', () => {
    const stack = new CommandStack(generateHandcrafted(), { maxDepth: 3 });
    for (let i = 0; i < 10; i++) stack.execute({ kind: 'move', moves: [{ name: 'dot', position: { x: i, y: i } }] });
    expect(stack.undoDepth).toBe(3);
    while (stack.undo());
    expect(stack.document.neurons.find((n) => n.name === 'dot')!.position).toEqual({ x: 6, y: 6 });
  });

  it('rename rewrites every link end; removing a neuron removes its links and undo restores them', () => {
    const stack = new CommandStack(generateHandcrafted());
    stack.execute({ kind: 'rename', from: 'accum', to: 'counter' });
    const d = stack.document;
    expect(d.links.filter((l) => l.to === 'accum' || l.from === 'accum')).toHaveLength(0);
    expect(d.links.filter((l) => l.to === 'counter' || l.from === 'counter')).toHaveLength(4);
    expect(d.links).toContainEqual(L('counter', 'dict-1', 'counter', 'dict', false));
    stack.execute({ kind: 'removeNeuron', name: 'counter' });
    expect(stack.document.links).toHaveLength(11 - 4);
    stack.undo();
    expect(stack.document).toBe(d);
    stack.undo();
    expect(documentsEqual(stack.document, generateHandcrafted())).toBe(true);
  });

  it('toggleSoft moves a link between the matrices', () => {
    const stack = new CommandStack(generateHandcrafted());
    stack.execute({ kind: 'toggleSoft', link: linkRef(L('norm', 'dict', 'accum', 'dict')) });
    const spec = documentToSpec(stack.document);
    expect(matrixLinks(spec.trainable)).toHaveLength(7);
    expect(matrixLinks(spec.fixed)).toHaveLength(4);
  });

  it('compound commands (paste, duplicate, prune, layout, generate, delete) undo in one step', () => {
    const start = generateLayered();
    const stack = new CommandStack(start);
    const compounds: Command[] = [
      pruneCommand(start, 0.01),
      layoutCommand(start),
      duplicateCommand(start, ['accum-1-1', 'norm-1-1', 'dot-2-2']).command,
      pasteCommand(start, copySelection(start, ['input', 'accum-1-1'])).command,
      generateCommand('generate recurrent', generateRecurrent()),
      deleteSelectionCommand(['accum-3-1', 'dot-1-2'], [linkRef(start.links.find((l) => l.soft)!)]),
    ];
    for (const c of compounds) {
      const before = stack.document;
      stack.execute(c);
      expect(stack.document).not.toBe(before);
      stack.undo();
      expect(stack.document).toBe(before);
      stack.redo();
      stack.undo();
    }
    expect(documentsEqual(stack.document, start)).toBe(true);
  });

  it('prune removes exactly the soft links below the threshold', () => {
    const doc = generateLayered();
    const after = applyCommand(doc, pruneCommand(doc, 0.01));
    const kept = doc.links.filter((l) => !l.soft || Math.abs(l.weight) >= 0.01);
    expect(after.links).toEqual(kept);
    expect(after.links.filter((l) => !l.soft)).toHaveLength(doc.links.filter((l) => !l.soft).length);
  });

  it('paste renames clashes deterministically and keeps internal links only', () => {
    const doc = generateHandcrafted();
    expect(freshName('accum', new Set(['accum']))).toBe('accum-copy');
    expect(freshName('accum', new Set(['accum', 'accum-copy', 'accum-copy2']))).toBe('accum-copy3');
    const clip = copySelection(doc, ['norm', 'accum']);
    expect(clip.neurons.map((n) => n.name)).toEqual(['accum', 'norm']);
    expect(clip.links).toEqual([L('accum', 'dict-1', 'accum', 'dict', false), L('norm', 'dict', 'accum', 'dict')]);
    const once = pasteCommand(doc, clip);
    expect(once.names).toEqual(['accum-copy', 'norm-copy']);
    const d1 = applyCommand(doc, once.command);
    const twice = pasteCommand(d1, clip);
    expect(twice.names).toEqual(['accum-copy2', 'norm-copy2']);
    const d2 = applyCommand(d1, twice.command);
    expect(d2.links).toContainEqual(L('norm-copy2', 'dict', 'accum-copy2', 'dict'));
    expect(d2.links).toContainEqual(L('accum-copy2', 'dict-1', 'accum-copy2', 'dict', false));
    expect(d2.neurons.find((n) => n.name === 'norm-copy2')!.position).toEqual({
      x: doc.neurons.find((n) => n.name === 'norm')!.position.x + 40,
      y: doc.neurons.find((n) => n.name === 'norm')!.position.y + 40,
    });
    // same input, same result
    expect(pasteCommand(d1, clip)).toEqual(twice);
    // pasting into an empty document keeps the names
    expect(pasteCommand(EMPTY_DOCUMENT, clip).names).toEqual(['accum', 'norm']);
  });

  it('addNeuronWithSelfLinks adds the registry self-links in the same step', () => {
    const stack = new CommandStack(EMPTY_DOCUMENT);
    stack.execute(addNeuronWithSelfLinks('a', 'accum', { x: 0, y: 0 }));
    expect(stack.document.links).toEqual([L('a', 'dict-1', 'a', 'dict', false)]);
    stack.undo();
    expect(stack.document).toBe(EMPTY_DOCUMENT);
  });

  it('1,000 commands, their undo and redo on the 1486-link machine give back the same document (times printed)', () => {
    const doc = generateLayered();
    expect(doc.links.filter((l) => l.soft)).toHaveLength(1486);
    const stack = new CommandStack(doc, { maxDepth: 1000 });
    const rng = new Rng(7);
    const commands: Command[] = [];
    // mostly the interactive edits: weights, moves, toggles, link add/remove, renames
    let d = doc;
    for (let i = 0; i < 1000; i++) {
      const k = i % 5;
      let c: Command;
      const l = d.links[rng.int(d.links.length)]!;
      const n = d.neurons[rng.int(d.neurons.length)]!;
      if (k === 0) c = { kind: 'setWeight', link: linkRef(l), weight: rng.normal() };
      else if (k === 1) c = { kind: 'move', moves: [{ name: n.name, position: { x: rng.int(2000), y: rng.int(2000) } }] };
      else if (k === 2) c = { kind: 'removeLink', link: linkRef(l) };
      else if (k === 3) c = { kind: 'addLink', link: { ...l, toPort: `x${i}` } };
      else c = { kind: 'rename', from: n.name, to: `${n.name}.${i}` };
      d = applyCommand(d, c);
      commands.push(c);
    }
    const t0 = performance.now();
    for (const c of commands) stack.execute(c);
    const t1 = performance.now();
    while (stack.undo());
    const t2 = performance.now();
    while (stack.redo());
    const t3 = performance.now();
    console.log(
      `1486-link machine: 1000 commands ${(t1 - t0).toFixed(1)} ms (${((t1 - t0) / 1000).toFixed(3)} ms each), ` +
        `1000 undos ${(t2 - t1).toFixed(2)} ms, 1000 redos ${(t3 - t2).toFixed(2)} ms`,
    );
    expect(stack.undoDepth).toBe(1000);
    expect(documentsEqual(stack.document, d)).toBe(true);
    const t4 = performance.now();
    const big = applyCommand(doc, layoutCommand(doc));
    const pruned = applyCommand(big, pruneCommand(big, 0.01));
    const t5 = performance.now();
    console.log(`layout + prune of the 1486-link machine: ${(t5 - t4).toFixed(1)} ms (${pruned.links.length} links left)`);
    expect(pruned.links.length).toBeLessThan(big.links.length);
  });
});
