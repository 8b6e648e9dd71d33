/**
 * Timings of the work behind the screens, printed (never asserted: a test suite on a shared
 * machine must not pass or fail with its load). Each figure is the median of `--repeat`
 * runs (default 5) after one warm-up run, in milliseconds, measured in Node on this machine.
 *
 *   npm run bench:ui            # a table
 *   npm run bench:ui -- --json  # one JSON object
 *
 * The in-page figures (layouts and interaction latencies in Chromium, opening a large diff)
 * are printed by the end-to-end tests that drive those screens (test/e2e/editor-build.test.ts,
 * test/e2e/diff.test.ts).
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { alignCircuits } from '../src-shared/diff/align';
import { compareBehaviour, DEFECT_PROBES } from '../src-shared/diff/behaviour';
import { diffLinks } from '../src-shared/diff/link-diff';
import { alignmentEvidence } from '../src-shared/diff/traces';
import { CommandStack, applyCommand, layoutCommand, pruneCommand, type Command } from '../src-shared/editor/commands';
import { linkRef } from '../src-shared/editor/document';
import { generateLayered } from '../src-shared/editor/generators';
import { validateDocument } from '../src-shared/editor/validate';
import { importPrototypeMatrix } from '../src-shared/io/prototype-matrix';
import { linksToMatrix, matrixLinks, type MachineSpec } from '../src-shared/machine/spec';
import { generateArchitecture, REFERENCE_ARCHITECTURE } from '../src-shared/problems/duplicates/architecture';
import { defaultSchedule } from '../src-shared/synthesis/schedule';
import { Rng } from '../src-shared/util/rng';
import { RunStore } from '../src-main/store/run-store';
import { layoutPositions as editorLayout } from '../src-renderer/editor/layouts';
import { layoutPositions as circuitLayout } from '../src-renderer/components/circuit-layout';
import { circuitElements } from '../src-renderer/components/circuit';
import { buildDiffModel, linkDiffAt } from '../src-renderer/diff/diff-model';
import { overlayElements, paneElements } from '../src-renderer/diff/elements';
import { unionPositions } from '../src-renderer/diff/positions';
import { referenceFigures } from '../src-renderer/runs/browser/reference';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, repeat: { type: 'string', default: '5' } } });
const REPEAT = Math.max(1, Number(values.repeat) || 5);

const DIR = new URL('../resources/circuits/julia-dmm-lite/', import.meta.url);
const load = (file: string): MachineSpec => importPrototypeMatrix(readFileSync(new URL(file, DIR), 'utf8'), file);
const strongest = (spec: MachineSpec, n: number): MachineSpec => ({
  ...spec,
  trainable: linksToMatrix(
    matrixLinks(spec.trainable)
      .sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight))
      .slice(0, n),
  ),
});

const figures: Record<string, number> = {};

/** Median of REPEAT timed runs of `f` after one warm-up; `setup` (untimed) runs before each. */
function time<S>(label: string, setup: () => S, f: (s: S) => unknown): void {
  f(setup());
  const ms: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const s = setup();
    const t0 = performance.now();
    f(s);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  figures[label] = Math.round((ms[Math.floor(ms.length / 2)] as number) * 10) / 10;
  if (!values.json) console.log(`${label.padEnd(62)} ${String(figures[label]).padStart(9)} ms`);
}

// ---------------------------------------------------------------- the circuit diff
const a300 = strongest(load('2500-steps-matrix.json'), 300);
const b300 = strongest(load('initial-matrix.json'), 300);
time(
  'diff 300/300 links: behaviour evidence (traces, fits)',
  () => null,
  () => alignmentEvidence(a300, b300),
);
const evidence = alignmentEvidence(a300, b300);
time(
  'diff 300/300 links: alignment',
  () => null,
  () => alignCircuits(a300, b300, evidence),
);
const alignment = alignCircuits(a300, b300, evidence);
time(
  'diff 300/300 links: link diff',
  () => null,
  () => diffLinks(a300, b300, alignment),
);
time(
  'diff 300/300 links: behaviour on the defect strings',
  () => null,
  () => compareBehaviour(a300, b300, DEFECT_PROBES, { alignment }),
);
const dense = load('2500-steps-matrix.json');
const top = matrixLinks(strongest(dense, 300).trainable);
const perturbed: MachineSpec = {
  ...dense,
  trainable: linksToMatrix(top.filter((_, i) => i % 7 !== 0).map((l, i) => ({ ...l, weight: l.weight * (1 + ((i % 5) - 2) * 0.05) }))),
};
time(
  'diff screen: model (structural alignment), 300/257 links',
  () => null,
  () => buildDiffModel(a300, perturbed, []),
);
const model = buildDiffModel(a300, perturbed, []);
time(
  'diff screen: link diff + layout + both panes and overlay',
  () => null,
  () => {
    const diff = linkDiffAt(model, 0);
    const positions = unionPositions(model, circuitLayout);
    return [
      ...paneElements(model, 'a', positions, diff, 0),
      ...paneElements(model, 'b', positions, diff, 0),
      ...overlayElements(model, positions, diff, 'both'),
    ];
  },
);

// ---------------------------------------------------------------- the editor
const doc = generateLayered();
time(
  'editor 1486 links: validate',
  () => null,
  () => validateDocument(doc),
);
time(
  'editor 1486 links: layered layout (headless)',
  () => null,
  () => editorLayout(doc, 'layered'),
);
time(
  'editor 1486 links: force layout (headless)',
  () => null,
  () => editorLayout(doc, 'force'),
);
const commands = ((): Command[] => {
  const rng = new Rng(7);
  const out: Command[] = [];
  let d = doc;
  for (let i = 0; i < 1000; i++) {
    const l = d.links[rng.int(d.links.length)]!;
    const n = d.neurons[rng.int(d.neurons.length)]!;
    const k = i % 5;
    const c: Command =
      k === 0
        ? { kind: 'setWeight', link: linkRef(l), weight: rng.normal() }
        : k === 1
          ? { kind: 'move', moves: [{ name: n.name, position: { x: rng.int(2000), y: rng.int(2000) } }] }
          : k === 2
            ? { kind: 'removeLink', link: linkRef(l) }
            : k === 3
              ? { kind: 'addLink', link: { ...l, toPort: `x${i}` } }
              : { kind: 'rename', from: n.name, to: `${n.name}.${i}` };
    d = applyCommand(d, c);
    out.push(c);
  }
  return out;
})();
time(
  'editor 1486 links: 1000 commands',
  () => new CommandStack(doc, { maxDepth: 1000 }),
  (stack) => {
    for (const c of commands) stack.execute(c);
  },
);
time(
  'editor 1486 links: 1000 undos',
  () => {
    const stack = new CommandStack(doc, { maxDepth: 1000 });
    for (const c of commands) stack.execute(c);
    return stack;
  },
  (stack) => {
    while (stack.undo());
  },
);
time(
  'editor 1486 links: layout + prune',
  () => null,
  () => applyCommand(applyCommand(doc, layoutCommand(doc)), pruneCommand(doc, 0.01)),
);

// ---------------------------------------------------------------- the run screens
const big = generateArchitecture(REFERENCE_ARCHITECTURE);
const bigLinks = matrixLinks(big.trainable);
const snapshot = {
  links: bigLinks.map(({ to, toPort, from, fromPort }) => ({ to, toPort, from, fromPort })),
  weights: bigLinks.map((l) => l.weight),
};
time(
  'run page: layered layout of a 1486-link snapshot (dagre)',
  () => circuitElements(snapshot),
  (els) => circuitLayout([...els.nodes, ...els.edges]),
);
// computed once per window (memoised): one figure
const REFERENCE = 'run browser: reference row (hand-crafted detector), once';
figures[REFERENCE] = Math.round((referenceFigures().computedMs ?? Number.NaN) * 10) / 10;
if (!values.json) console.log(`${REFERENCE.padEnd(62)} ${String(figures[REFERENCE]).padStart(9)} ms`);

// ---------------------------------------------------------------- the store
const tmp = mkdtempSync(join(tmpdir(), 'dmm-bench-ui-'));
try {
  let n = 0;
  const rows = Array.from({ length: 10_000 }, (_, i) => ({
    step: i + 1,
    phase: 'dense' as const,
    preregLoss: 100 * Math.exp(-i / 2000),
    loss: 100 * Math.exp(-i / 2000),
    l1: 1,
    lambda1: 0,
    softLinks: 1486,
    wallMs: i,
  }));
  time(
    'store: 10,000 metrics in 200 batches of 50',
    () => {
      const store = RunStore.open(join(tmp, `m${++n}.sqlite`));
      return { store, id: store.createRun({ schedule: defaultSchedule(1) }).id };
    },
    ({ store, id }) => {
      for (let i = 0; i < rows.length; i += 50) store.appendMetrics(id, rows.slice(i, i + 50));
      store.close();
    },
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (values.json) console.log(JSON.stringify({ repeat: REPEAT, ms: figures }));
