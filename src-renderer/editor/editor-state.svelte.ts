/**
 * The editor screen's state: one CommandStack for the open document, the
 * selection, the link mode, the threshold, search and clipboard. Everything the canvas
 * and the panels do goes through here, so it can be unit-tested without a DOM.
 */
import {
  addNeuronWithSelfLinks,
  CommandStack,
  copySelection,
  deleteSelectionCommand,
  generateCommand,
  layoutCommand,
  pasteCommand,
  type Clipboard,
  type Command,
} from '@shared/editor/commands';
import {
  documentFromGraph,
  documentToGraph,
  EMPTY_DOCUMENT,
  graphLosses,
  linkRef,
  sameLink,
  type EditorDocument,
  type EditorLink,
  type EditorNeuron,
  type LinkRef,
  type Position,
} from '@shared/editor/document';
import {
  COMPARE_FREE_ARCHITECTURE,
  generateCompareFree,
  generateHandcrafted,
  generateLayered,
  generateRecurrent,
  REFERENCE_ARCHITECTURE,
  type ArchitectureOptions,
  type RecurrentOptions,
} from '@shared/editor/generators';
import { evaluateDocument, type Evaluation } from '@shared/editor/evaluate';
import type { Problem } from '@shared/problems/problem';
import { runHeavy } from '../lib/heavy-work';
import { exportDocumentJson, importDocumentText } from '@shared/editor/io';
import { validateDocument, type ValidationIssue } from '@shared/editor/validate';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import type { ArchitectureGraph } from '@shared/api/records';

/** The problem Evaluate uses when the open circuit came from no other: the duplicate-character detector's. */
export const DEFAULT_EVALUATION_PROBLEM = 'duplicates';

/** Parses an exact weight: a finite decimal or exponent number (no empty string, no hex, no Infinity). */
export function parseWeight(text: string): { ok: true; value: number } | { ok: false; error: string } {
  const t = text.trim();
  if (t === '') return { ok: false, error: 'enter a number' };
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { ok: false, error: `"${t}" is not a number` };
  const v = Number(t);
  if (!Number.isFinite(v)) return { ok: false, error: `${t} is out of range` };
  return { ok: true, value: v };
}

/** The registry's types, for the palette (a new type appears without UI changes). */
export function paletteTypes(): Array<{ name: string; description: string; inputs: readonly string[]; outputs: readonly string[] }> {
  return [...NEURON_TYPES.values()].map((t) => ({ name: t.name, description: t.description, inputs: t.inputs, outputs: t.outputs }));
}

export function inputPorts(type: string): readonly string[] {
  return NEURON_TYPES.get(type)?.inputs ?? [];
}
export function outputPorts(type: string): readonly string[] {
  return NEURON_TYPES.get(type)?.outputs ?? [];
}

/** Resolves after the next frame has been painted (a requestAnimationFrame callback runs before the paint). */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

export type GeneratorKind = 'layered' | 'recurrent' | 'handcrafted' | 'compare-free';

export interface GeneratorSettings {
  layered: ArchitectureOptions;
  recurrent: Required<Pick<RecurrentOptions, 'copies' | 'scale' | 'seed'>>;
}

export function defaultGeneratorSettings(): GeneratorSettings {
  return {
    layered: { ...REFERENCE_ARCHITECTURE, types: [...REFERENCE_ARCHITECTURE.types] },
    recurrent: { copies: 2, scale: 0.01, seed: 123 },
  };
}

export function generate(
  kind: GeneratorKind,
  settings: GeneratorSettings = defaultGeneratorSettings(),
): { label: string; document: EditorDocument } {
  switch (kind) {
    case 'layered':
      return {
        label: `generate layered (${settings.layered.layers}×${settings.layered.copies})`,
        document: generateLayered(settings.layered),
      };
    case 'compare-free':
      return {
        label: 'generate compare-free',
        document: generateCompareFree({
          ...settings.layered,
          layers: COMPARE_FREE_ARCHITECTURE.layers,
          types: COMPARE_FREE_ARCHITECTURE.types,
        }),
      };
    case 'recurrent':
      return { label: 'generate recurrent', document: generateRecurrent(settings.recurrent) };
    case 'handcrafted':
      return { label: 'generate hand-crafted detector', document: generateHandcrafted() };
  }
}

/** One end of a link being drawn: a neuron's port and its side. */
export interface PortEnd {
  readonly name: string;
  readonly port: string;
  readonly dir: 'in' | 'out';
}

export interface PendingLink {
  from: string;
  fromPort: string;
  to: string;
  toPort: string;
  weight: string;
  soft: boolean;
}

export class EditorState {
  readonly stack: CommandStack;
  doc = $state.raw<EditorDocument>(EMPTY_DOCUMENT);
  /** Bumped on every stack change, so labels and can-undo flags re-derive. */
  version = $state(0);
  selectedNeurons = $state.raw<readonly string[]>([]);
  selectedLinks = $state.raw<readonly LinkRef[]>([]);
  threshold = $state(0);
  linkMode = $state(false);
  pending = $state<PendingLink | null>(null);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  /** Name of the library architecture this document was loaded from or saved as. */
  name = $state('');
  savedVersion = $state<number | null>(null);
  clipboard: Clipboard | null = null;
  generators = $state<GeneratorSettings>(defaultGeneratorSettings());

  readonly issues: ValidationIssue[] = $derived(validateDocument(this.doc));
  // getters read `version`, so they are reactive
  get canUndo(): boolean {
    return this.version >= 0 && this.stack.canUndo;
  }
  get canRedo(): boolean {
    return this.version >= 0 && this.stack.canRedo;
  }
  get undoLabel(): string | undefined {
    return this.version >= 0 ? this.stack.undoLabel : undefined;
  }
  get redoLabel(): string | undefined {
    return this.version >= 0 ? this.stack.redoLabel : undefined;
  }
  readonly neuron: EditorNeuron | undefined = $derived(
    this.selectedNeurons.length === 1 && this.selectedLinks.length === 0
      ? this.doc.neurons.find((n) => n.name === this.selectedNeurons[0])
      : undefined,
  );
  readonly link: EditorLink | undefined = $derived(
    this.selectedLinks.length === 1 && this.selectedNeurons.length === 0 ? this.findLink(this.selectedLinks[0] as LinkRef) : undefined,
  );

  constructor(doc: EditorDocument = EMPTY_DOCUMENT) {
    this.stack = new CommandStack(doc);
    this.doc = doc;
    this.stack.subscribe((d) => {
      this.doc = d;
      this.version++;
      this.pruneSelection();
    });
  }

  findLink(ref: LinkRef): EditorLink | undefined {
    return this.doc.links.find((l) => sameLink(l, ref));
  }

  /** Runs a command; an EditError becomes the error message and changes nothing. */
  run(c: Command): boolean {
    try {
      this.stack.execute(c);
      this.error = null;
      return true;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  undo(): void {
    this.stack.undo();
  }
  redo(): void {
    this.stack.redo();
  }

  // ---- selection ----
  select(neurons: readonly string[], links: readonly LinkRef[] = []): void {
    this.selectedNeurons = [...neurons];
    this.selectedLinks = links.map(linkRef);
  }
  clearSelection(): void {
    this.select([]);
  }
  selectAll(): void {
    this.select(
      this.doc.neurons.map((n) => n.name),
      [],
    );
  }
  private pruneSelection(): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
    const names = new Set(this.doc.neurons.map((n) => n.name));
    const ns = this.selectedNeurons.filter((n) => names.has(n));
    const ls = this.selectedLinks.filter((l) => this.findLink(l) !== undefined);
    if (ns.length !== this.selectedNeurons.length || ls.length !== this.selectedLinks.length) this.select(ns, ls);
  }

  /** Names containing `query` (case-insensitive), in document order. */
  search(query: string): string[] {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    return this.doc.neurons.filter((n) => n.name.toLowerCase().includes(q)).map((n) => n.name);
  }

  // ---- edits ----
  /** Adds a neuron of a registry type named after it (`accum`, then `accum-2`, `accum-3`, …). */
  addNeuron(type: string, position?: Position): string | undefined {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
    const taken = new Set(this.doc.neurons.map((n) => n.name));
    let name = type;
    for (let i = 2; taken.has(name); i++) name = `${type}-${i}`;
    const p = position ?? this.freePosition();
    if (!this.run(addNeuronWithSelfLinks(name, type, p))) return undefined;
    this.select([name]);
    return name;
  }

  private freePosition(): Position {
    if (this.doc.neurons.length === 0) return { x: 0, y: 0 };
    let maxX = -Infinity;
    let minY = Infinity;
    for (const n of this.doc.neurons) {
      maxX = Math.max(maxX, n.position.x);
      minY = Math.min(minY, n.position.y);
    }
    const k = this.doc.neurons.filter((n) => n.position.x > maxX - 1).length;
    return { x: maxX + 120, y: minY + 80 * (k % 8) };
  }

  move(name: string, position: Position): void {
    const n = this.doc.neurons.find((x) => x.name === name);
    if (!n || (n.position.x === position.x && n.position.y === position.y)) return;
    this.run({ kind: 'move', moves: [{ name, position: { x: position.x, y: position.y } }] });
  }

  moveMany(moves: ReadonlyArray<{ name: string; position: Position }>): void {
    const changed = moves.filter((m) => {
      const n = this.doc.neurons.find((x) => x.name === m.name);
      return n !== undefined && (n.position.x !== m.position.x || n.position.y !== m.position.y);
    });
    if (changed.length > 0)
      this.run({ kind: 'move', moves: changed.map((m) => ({ name: m.name, position: { x: m.position.x, y: m.position.y } })) });
  }

  rename(from: string, to: string): boolean {
    const t = to.trim();
    const oldNeurons = this.selectedNeurons;
    const oldLinks = this.selectedLinks;
    // the selection follows the rename (set first: the stack's listener prunes unknown names)
    const rn = (n: string): string => (n === from ? t : n);
    this.selectedNeurons = oldNeurons.map(rn);
    this.selectedLinks = oldLinks.map((l) => ({ ...l, to: rn(l.to), from: rn(l.from) }));
    if (this.run({ kind: 'rename', from, to: t })) return true;
    this.selectedNeurons = oldNeurons;
    this.selectedLinks = oldLinks;
    return false;
  }

  /** Sets the selected link's weight from text; returns the validation error, if any. */
  setWeight(ref: LinkRef, text: string): string | null {
    const w = parseWeight(text);
    if (!w.ok) return w.error;
    this.run({ kind: 'setWeight', link: linkRef(ref), weight: w.value });
    return this.error;
  }

  toggleSoft(ref: LinkRef): void {
    const r = linkRef(ref);
    if (this.run({ kind: 'toggleSoft', link: r })) this.select([], [{ ...r, soft: !r.soft }]);
  }

  deleteSelection(): void {
    if (this.selectedNeurons.length === 0 && this.selectedLinks.length === 0) return;
    if (this.run(deleteSelectionCommand(this.selectedNeurons, this.selectedLinks))) this.clearSelection();
  }

  copy(): number {
    this.clipboard = copySelection(this.doc, this.selectedNeurons);
    return this.clipboard.neurons.length;
  }

  paste(): void {
    if (!this.clipboard || this.clipboard.neurons.length === 0) return;
    const { command, names } = pasteCommand(this.doc, this.clipboard);
    if (this.run(command)) this.select(names);
  }

  /** Moves the neurons to a layout's positions (default: the layered placement) as one undo step. */
  layout(positions?: ReadonlyMap<string, Position>, label?: string): void {
    this.run(layoutCommand(this.doc, positions, label));
  }

  generate(kind: GeneratorKind): void {
    try {
      const g = generate(kind, this.generators);
      if (this.run(generateCommand(g.label, g.document))) this.clearSelection();
      // the hand-crafted detector is the duplicates problem's teacher
      if (kind === 'handcrafted') this.evaluationProblem = DEFAULT_EVALUATION_PROBLEM;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  /**
   * A link drawn on the canvas from port to port (either way round: from an output port to
   * an input port, or back): soft, weight 1, selected so the inspector can set its weight.
   * Returns the reason when it is refused (two inputs, two outputs, an existing link).
   */
  linkPorts(a: PortEnd, b: PortEnd): string | null {
    if (a.dir === b.dir) {
      const kind = a.dir === 'in' ? 'input' : 'output';
      return `refused: ${b.name}.${b.port} is an ${kind} port like ${a.name}.${a.port}; a link goes from an output port to an input port`;
    }
    const [src, dst] = a.dir === 'out' ? [a, b] : [b, a];
    const link: EditorLink = { to: dst.name, toPort: dst.port, from: src.name, fromPort: src.port, weight: 1, soft: true };
    if (this.findLink(link)) return `refused: the link ${dst.name}.${dst.port} ← ${src.name}.${src.port} already exists`;
    if (!this.run({ kind: 'addLink', link })) return this.error;
    this.select([], [link]);
    this.message = `linked ${dst.name}.${dst.port} ← ${src.name}.${src.port}`;
    return null;
  }

  // ---- evaluation ----
  evaluation = $state.raw<Evaluation | null>(null);
  /** The document the evaluation is about (it is stale once the document changes). */
  evaluatedDoc = $state.raw<EditorDocument | null>(null);
  evaluationError = $state<string | null>(null);
  /**
   * The problem Evaluate judges against (its name): the problem the open circuit came from
   * (a problem's teacher, a run's problem), else the duplicate detector's.
   */
  evaluationProblem = $state(DEFAULT_EVALUATION_PROBLEM);

  /** An evaluation is under way (evaluateSoon): the button says so and is disabled. */
  evaluating = $state(false);

  /** Forgets the evaluation (a new document was opened). */
  clearEvaluation(): void {
    this.evaluation = null;
    this.evaluatedDoc = null;
    this.evaluationError = null;
  }

  /**
   * `evaluate` after `yieldFrame` (by default: once the next frame is painted), so that the
   * busy state shows before the synchronous work blocks the page; one at a time. `problem`
   * is fetched while the button already says "evaluating…" (the stored problem version,
   * through the API).
   */
  async evaluateSoon(problem: () => Promise<Problem>, yieldFrame: () => Promise<void> = nextPaint): Promise<Evaluation | null> {
    if (this.evaluating) return this.evaluation;
    this.evaluating = true;
    const doc = this.doc;
    try {
      await yieldFrame();
      // in the page's worker: the page stays responsive while the machines run
      try {
        this.evaluation = await runHeavy('evaluateDocument', doc, await problem());
        this.evaluationError = null;
      } catch (e) {
        this.evaluation = null;
        this.evaluationError = `cannot evaluate: ${e instanceof Error ? e.message : String(e)}`;
      }
      this.evaluatedDoc = doc;
      return this.evaluation;
    } finally {
      this.evaluating = false;
    }
  }

  /** The loss of the document against `problem`'s teacher, in the page. */
  evaluate(problem: Problem): Evaluation | null {
    try {
      this.evaluation = evaluateDocument(this.doc, problem);
      this.evaluationError = null;
    } catch (e) {
      this.evaluation = null;
      this.evaluationError = `cannot evaluate: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.evaluatedDoc = this.doc;
    return this.evaluation;
  }

  // ---- link mode ----
  toggleLinkMode(): void {
    this.linkMode = !this.linkMode;
    this.pending = null;
  }

  /** In link mode, a click on a neuron picks the source, then the target (ports default to the first ones). */
  pickForLink(name: string): void {
    const n = this.doc.neurons.find((x) => x.name === name);
    if (!n) return;
    if (!this.pending || this.pending.to !== '') {
      this.pending = { from: name, fromPort: outputPorts(n.type)[0] ?? '', to: '', toPort: '', weight: '1', soft: true };
      return;
    }
    this.pending = { ...this.pending, to: name, toPort: inputPorts(n.type)[0] ?? '' };
  }

  /** Adds the pending link; returns an error message or null. */
  commitLink(): string | null {
    const p = this.pending;
    if (!p || !p.to) return 'pick a source and a target neuron';
    if (!p.fromPort || !p.toPort) return 'pick both ports';
    const w = parseWeight(p.weight);
    if (!w.ok) return w.error;
    const link: EditorLink = { to: p.to, toPort: p.toPort, from: p.from, fromPort: p.fromPort, weight: w.value, soft: p.soft };
    if (!this.run({ kind: 'addLink', link })) return this.error;
    this.pending = null;
    this.select([], [link]);
    return null;
  }

  // ---- persistence ----
  /** Replaces the document with a new history (opening a file or a library entry). */
  open(doc: EditorDocument): void {
    this.stack.reset(doc);
    this.clearSelection();
    this.pending = null;
    this.clearEvaluation();
  }

  /** Imports text as a new undoable step; a malformed file leaves the document untouched. */
  importText(text: string, source: string): boolean {
    try {
      const { document, kind } = importDocumentText(text, source);
      if (!this.run(generateCommand(`import ${source}`, document))) return false;
      this.message = `imported ${source} (${kind}: ${document.neurons.length} neurons, ${document.links.length} links)`;
      this.clearSelection();
      return true;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  exportEditorJson(): string {
    return exportDocumentJson(this.doc);
  }

  /** The trainable matrix in the prototype's JSON format. */
  exportMatrixJson(): string {
    return JSON.stringify(documentToGraph(this.doc).matrix, null, 2);
  }

  graph(): ArchitectureGraph {
    return documentToGraph(this.doc);
  }

  /** Warnings about what saving as a library record drops. */
  saveWarnings(): string[] {
    const g = graphLosses(this.doc);
    const out: string[] = [];
    if (g.extraHardLinks.length) out.push(`${g.extraHardLinks.length} hard links that are not inferred will be dropped`);
    if (g.missingHardLinks.length) out.push(`${g.missingHardLinks.length} inferred hard links will come back on load`);
    if (g.paramNeurons.length) out.push(`parameters of ${g.paramNeurons.join(', ')} will be dropped`);
    return out;
  }

  openGraph(graph: ArchitectureGraph, name: string, version: number): void {
    this.open(documentFromGraph(graph));
    this.name = name;
    this.savedVersion = version;
  }
}
