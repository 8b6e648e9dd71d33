/**
 * Edits of an architecture document as commands, and the undo/redo stack.
 *
 * Every edit is a `Command` (plain data, so it can be logged, replayed or sent over IPC);
 * `applyCommand` turns a document into the edited one without touching the original.
 * Compound commands (paste, duplicate, generate, layout, prune) are one command each, so
 * they undo in one step.
 *
 * Undo design: the stack keeps immutable document snapshots (before/after of each step)
 * instead of inverse operations. Documents share unchanged neuron and link objects, so a
 * snapshot costs one array of pointers per edited array (≈ 12 kB for the 1486-link
 * machine), an edit is O(links), and undo/redo are O(1) and cannot drift from the forward
 * edit the way a hand-written inverse can (e.g. removing a neuron also removes its links,
 * renaming rewrites links: their inverses come for free).
 */
import { neuronType } from '../machine/neuron-types';
import {
  linkKey,
  linkRef,
  sameLink,
  type EditorDocument,
  type EditorLink,
  type EditorNeuron,
  type LinkRef,
  type Position,
} from './document';
import { layerGridPositions } from './layout';

export type Command =
  | { readonly kind: 'addNeuron'; readonly neuron: EditorNeuron }
  /** Removes the neuron and every link into or out of it. */
  | { readonly kind: 'removeNeuron'; readonly name: string }
  | { readonly kind: 'addLink'; readonly link: EditorLink }
  | { readonly kind: 'removeLink'; readonly link: LinkRef }
  /** Removes several links in one pass (prune, delete selection); every one must exist. */
  | { readonly kind: 'removeLinks'; readonly links: readonly LinkRef[] }
  | { readonly kind: 'setWeight'; readonly link: LinkRef; readonly weight: number }
  /** Moves a link between the trainable (soft) and the fixed (hard) matrix. */
  | { readonly kind: 'toggleSoft'; readonly link: LinkRef }
  /** Renames a neuron and every link end that names it. */
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'changeType'; readonly name: string; readonly type: string }
  | { readonly kind: 'move'; readonly moves: ReadonlyArray<{ readonly name: string; readonly position: Position }> }
  /** Several commands applied in order, undone as one step. */
  | { readonly kind: 'compound'; readonly label: string; readonly commands: readonly Command[] }
  /** Replaces the whole document (generate, import), undone as one step. */
  | { readonly kind: 'replace'; readonly label: string; readonly replacement: EditorDocument };

export class EditError extends Error {
  override readonly name = 'EditError';
}

function fail(message: string): never {
  throw new EditError(message);
}

function indexOfNeuron(doc: EditorDocument, name: string): number {
  return doc.neurons.findIndex((n) => n.name === name);
}

function indexOfLink(doc: EditorDocument, ref: LinkRef): number {
  const i = doc.links.findIndex((l) => sameLink(l, ref));
  return i;
}

function requireLink(doc: EditorDocument, ref: LinkRef): number {
  const i = indexOfLink(doc, ref);
  if (i < 0) fail(`no ${ref.soft ? 'soft' : 'hard'} link ${ref.to}.${ref.toPort} ← ${ref.from}.${ref.fromPort}`);
  return i;
}

function replaceAt<T>(xs: readonly T[], i: number, x: T): T[] {
  const out = xs.slice();
  out[i] = x;
  return out;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) fail('a neuron name must not be empty');
}

/** Human-readable label of a command (for the Undo/Redo menu items). */
export function commandLabel(c: Command): string {
  switch (c.kind) {
    case 'addNeuron':
      return `add ${c.neuron.type} "${c.neuron.name}"`;
    case 'removeNeuron':
      return `remove "${c.name}"`;
    case 'addLink':
      return `add link ${c.link.to}.${c.link.toPort} ← ${c.link.from}.${c.link.fromPort}`;
    case 'removeLink':
      return `remove link ${c.link.to}.${c.link.toPort} ← ${c.link.from}.${c.link.fromPort}`;
    case 'removeLinks':
      return `remove ${c.links.length} links`;
    case 'setWeight':
      return `set weight of ${c.link.to}.${c.link.toPort} ← ${c.link.from}.${c.link.fromPort}`;
    case 'toggleSoft':
      return `make ${c.link.to}.${c.link.toPort} ← ${c.link.from}.${c.link.fromPort} ${c.link.soft ? 'hard' : 'soft'}`;
    case 'rename':
      return `rename "${c.from}" to "${c.to}"`;
    case 'changeType':
      return `make "${c.name}" a ${c.type}`;
    case 'move':
      return c.moves.length === 1 ? `move "${c.moves[0]?.name}"` : `move ${c.moves.length} neurons`;
    case 'compound':
    case 'replace':
      return c.label;
  }
}

/**
 * The document after `c`. Throws an EditError (and changes nothing) when the command does
 * not apply: an unknown neuron or link, a name or link that already exists, a non-finite
 * position. Weights may be anything (validation reports non-finite ones), as may types and
 * ports (so broken circuits can be drawn on purpose).
 */
export function applyCommand(doc: EditorDocument, c: Command): EditorDocument {
  switch (c.kind) {
    case 'addNeuron': {
      checkName(c.neuron.name);
      if (indexOfNeuron(doc, c.neuron.name) >= 0) fail(`a neuron named "${c.neuron.name}" already exists`);
      checkPosition(c.neuron.position);
      return { neurons: [...doc.neurons, c.neuron], links: doc.links };
    }
    case 'removeNeuron': {
      const i = indexOfNeuron(doc, c.name);
      if (i < 0) fail(`no neuron named "${c.name}"`);
      return {
        neurons: doc.neurons.filter((_, j) => j !== i),
        links: doc.links.filter((l) => l.to !== c.name && l.from !== c.name),
      };
    }
    case 'addLink': {
      if (indexOfLink(doc, c.link) >= 0) fail(`the link ${c.link.to}.${c.link.toPort} ← ${c.link.from}.${c.link.fromPort} already exists`);
      const { to, toPort, from, fromPort, weight, soft } = c.link;
      return { neurons: doc.neurons, links: [...doc.links, { to, toPort, from, fromPort, weight, soft }] };
    }
    case 'removeLink': {
      const i = requireLink(doc, c.link);
      return { neurons: doc.neurons, links: doc.links.filter((_, j) => j !== i) };
    }
    case 'removeLinks': {
      if (c.links.length === 0) return doc;
      const gone = new Map<string, LinkRef>();
      for (const l of c.links) gone.set(linkKey(l), l);
      const found = new Set<string>();
      const links = doc.links.filter((l) => {
        const k = linkKey(l);
        if (!gone.has(k) || found.has(k)) return true;
        found.add(k);
        return false;
      });
      for (const [k, l] of gone) if (!found.has(k)) requireLink(doc, l);
      return { neurons: doc.neurons, links };
    }
    case 'setWeight': {
      const i = requireLink(doc, c.link);
      const l = doc.links[i] as EditorLink;
      if (Object.is(l.weight, c.weight)) return doc;
      return { neurons: doc.neurons, links: replaceAt(doc.links, i, { ...l, weight: c.weight }) };
    }
    case 'toggleSoft': {
      const i = requireLink(doc, c.link);
      const l = doc.links[i] as EditorLink;
      const flipped = { ...l, soft: !l.soft };
      if (indexOfLink(doc, flipped) >= 0)
        fail(`a ${flipped.soft ? 'soft' : 'hard'} link ${l.to}.${l.toPort} ← ${l.from}.${l.fromPort} already exists`);
      return { neurons: doc.neurons, links: replaceAt(doc.links, i, flipped) };
    }
    case 'rename': {
      checkName(c.to);
      const i = indexOfNeuron(doc, c.from);
      if (i < 0) fail(`no neuron named "${c.from}"`);
      if (c.from === c.to) return doc;
      if (indexOfNeuron(doc, c.to) >= 0) fail(`a neuron named "${c.to}" already exists`);
      const rn = (s: string): string => (s === c.from ? c.to : s);
      return {
        neurons: replaceAt(doc.neurons, i, { ...(doc.neurons[i] as EditorNeuron), name: c.to }),
        links: doc.links.map((l) => (l.to === c.from || l.from === c.from ? { ...l, to: rn(l.to), from: rn(l.from) } : l)),
      };
    }
    case 'changeType': {
      const i = indexOfNeuron(doc, c.name);
      if (i < 0) fail(`no neuron named "${c.name}"`);
      const n = doc.neurons[i] as EditorNeuron;
      if (n.type === c.type) return doc;
      return { neurons: replaceAt(doc.neurons, i, { ...n, type: c.type }), links: doc.links };
    }
    case 'move': {
      if (c.moves.length === 0) return doc;
      const where = new Map<string, Position>();
      for (const m of c.moves) {
        checkPosition(m.position);
        if (indexOfNeuron(doc, m.name) < 0) fail(`no neuron named "${m.name}"`);
        where.set(m.name, m.position);
      }
      return {
        neurons: doc.neurons.map((n) => {
          const p = where.get(n.name);
          return p === undefined ? n : { ...n, position: { x: p.x, y: p.y } };
        }),
        links: doc.links,
      };
    }
    case 'compound': {
      let d = doc;
      for (const sub of c.commands) d = applyCommand(d, sub);
      return d;
    }
    case 'replace':
      return c.replacement;
  }
}

function checkPosition(p: Position): void {
  if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) fail('a position needs finite x and y');
}

export interface HistoryEntry {
  readonly label: string;
  readonly before: EditorDocument;
  readonly after: EditorDocument;
}

export interface CommandStackOptions {
  /** Undo steps kept (the oldest are dropped). Default 1000. */
  readonly maxDepth?: number;
}

/** One command stack per open document: execute, undo, redo. */
export class CommandStack {
  private current: EditorDocument;
  private readonly past: HistoryEntry[] = [];
  private future: HistoryEntry[] = [];
  private readonly listeners = new Set<(doc: EditorDocument) => void>();
  readonly maxDepth: number;

  constructor(doc: EditorDocument, options: CommandStackOptions = {}) {
    const depth = options.maxDepth ?? 1000;
    if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`maxDepth must be an integer ≥ 0, got ${depth}`);
    this.maxDepth = depth;
    this.current = doc;
  }

  get document(): EditorDocument {
    return this.current;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  get undoDepth(): number {
    return this.past.length;
  }
  get redoDepth(): number {
    return this.future.length;
  }
  /** Label of the step Undo would revert, if any. */
  get undoLabel(): string | undefined {
    return this.past[this.past.length - 1]?.label;
  }
  get redoLabel(): string | undefined {
    return this.future[this.future.length - 1]?.label;
  }

  /**
   * Applies `c` as one undoable step and clears the redo list. A command that throws
   * changes nothing; one that changes nothing is not recorded. Returns the new document.
   */
  execute(c: Command): EditorDocument {
    const after = applyCommand(this.current, c);
    if (after === this.current) return after;
    this.past.push({ label: commandLabel(c), before: this.current, after });
    if (this.past.length > this.maxDepth) this.past.splice(0, this.past.length - this.maxDepth);
    this.future = [];
    this.set(after);
    return after;
  }

  undo(): boolean {
    const e = this.past.pop();
    if (!e) return false;
    this.future.push(e);
    this.set(e.before);
    return true;
  }

  redo(): boolean {
    const e = this.future.pop();
    if (!e) return false;
    this.past.push(e);
    this.set(e.after);
    return true;
  }

  /** Starts over from `doc` with an empty history (e.g. after opening a saved architecture). */
  reset(doc: EditorDocument): void {
    this.past.length = 0;
    this.future = [];
    this.set(doc);
  }

  /** Calls `f` after every change of the document; returns the unsubscribe function. */
  subscribe(f: (doc: EditorDocument) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private set(doc: EditorDocument): void {
    this.current = doc;
    for (const f of this.listeners) f(doc);
  }
}

// ---- compound commands -------------------------------------------------------------------

/** Removes every soft link with |w| < threshold (NaN weights are kept: validation shows them). */
export function pruneCommand(doc: EditorDocument, threshold: number): Command {
  if (!(threshold >= 0)) throw new RangeError(`threshold must be ≥ 0, got ${threshold}`);
  const links = doc.links.filter((l) => l.soft && Math.abs(l.weight) < threshold).map(linkRef);
  return { kind: 'compound', label: `prune ${links.length} links below ${threshold}`, commands: [{ kind: 'removeLinks', links }] };
}

/**
 * Moves every neuron to a layout's placement (one undo step): `positions` by name (e.g. a
 * dagre or force-directed layout computed by the canvas), by default the layered placement
 * of layout.ts. Neurons the placement does not name stay where they are.
 */
export function layoutCommand(doc: EditorDocument, positions?: ReadonlyMap<string, Position>, label = 'layout'): Command {
  const pos = positions ?? layerGridPositions(doc.neurons, doc.links);
  return {
    kind: 'compound',
    label,
    commands: [{ kind: 'move', moves: doc.neurons.map((n) => ({ name: n.name, position: pos.get(n.name) ?? n.position })) }],
  };
}

/** Replaces the document with a generated one (one undo step). */
export function generateCommand(label: string, generated: EditorDocument): Command {
  return { kind: 'replace', label, replacement: generated };
}

/** Removes several neurons and links at once (the Delete key on a selection). */
export function deleteSelectionCommand(names: readonly string[], links: readonly LinkRef[] = []): Command {
  const gone = new Set(names);
  const commands: Command[] = [
    { kind: 'removeLinks', links: links.filter((l) => !gone.has(l.to) && !gone.has(l.from)) },
    ...[...gone].map((name): Command => ({ kind: 'removeNeuron', name })),
  ];
  return { kind: 'compound', label: `delete ${gone.size} neurons and ${links.length} links`, commands };
}

// ---- clipboard ---------------------------------------------------------------------------

/** What Copy puts on the clipboard: neurons and the links among them. */
export interface Clipboard {
  readonly neurons: readonly EditorNeuron[];
  readonly links: readonly EditorLink[];
}

/** The selected neurons (in document order) and every link whose two ends are selected. */
export function copySelection(doc: EditorDocument, names: Iterable<string>): Clipboard {
  const selected = new Set(names);
  return {
    neurons: doc.neurons.filter((n) => selected.has(n.name)),
    links: doc.links.filter((l) => selected.has(l.to) && selected.has(l.from)),
  };
}

/**
 * A fresh name for a pasted neuron: the name itself if free, else `<name>-copy`, then
 * `<name>-copy2`, `<name>-copy3`, … (deterministic: the first free one).
 */
export function freshName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  if (!taken.has(`${name}-copy`)) return `${name}-copy`;
  for (let i = 2; ; i++) {
    const n = `${name}-copy${i}`;
    if (!taken.has(n)) return n;
  }
}

export interface PasteOptions {
  /** Added to every pasted position (default 40, 40). */
  readonly offset?: Position;
  readonly label?: string;
}

/**
 * Pastes a clipboard: clashing names are renamed with `freshName` in clipboard order,
 * internal links follow the renames. Returns the command (one undo step) and the names
 * of the pasted neurons (the new selection).
 */
export function pasteCommand(doc: EditorDocument, clip: Clipboard, options: PasteOptions = {}): { command: Command; names: string[] } {
  const off = options.offset ?? { x: 40, y: 40 };
  const taken = new Set(doc.neurons.map((n) => n.name));
  const renamed = new Map<string, string>();
  const commands: Command[] = [];
  for (const n of clip.neurons) {
    if (renamed.has(n.name)) continue; // a clipboard with duplicate names pastes the first
    const name = freshName(n.name, taken);
    taken.add(name);
    renamed.set(n.name, name);
    commands.push({ kind: 'addNeuron', neuron: { ...n, name, position: { x: n.position.x + off.x, y: n.position.y + off.y } } });
  }
  const seen = new Set<string>();
  for (const l of clip.links) {
    const to = renamed.get(l.to);
    const from = renamed.get(l.from);
    if (to === undefined || from === undefined) continue;
    const link: EditorLink = { ...l, to, from };
    const k = linkKey(link);
    if (seen.has(k)) continue;
    seen.add(k);
    commands.push({ kind: 'addLink', link });
  }
  return { command: { kind: 'compound', label: options.label ?? `paste ${renamed.size} neurons`, commands }, names: [...renamed.values()] };
}

/** Copy + paste of a selection as one step. */
export function duplicateCommand(
  doc: EditorDocument,
  names: Iterable<string>,
  options: PasteOptions = {},
): { command: Command; names: string[] } {
  const clip = copySelection(doc, names);
  return pasteCommand(doc, clip, { label: `duplicate ${clip.neurons.length} neurons`, ...options });
}

/** A new neuron of a registry type with its hard self-links (e.g. accum.dict-1 ← dict), as one step. */
export function addNeuronWithSelfLinks(name: string, type: string, position: Position): Command {
  const commands: Command[] = [{ kind: 'addNeuron', neuron: { name, type, position } }];
  for (const [toPort, fromPort] of neuronType(type).selfLinks) {
    commands.push({ kind: 'addLink', link: { to: name, toPort, from: name, fromPort, weight: 1, soft: false } });
  }
  return commands.length === 1 ? (commands[0] as Command) : { kind: 'compound', label: `add ${type} "${name}"`, commands };
}
