/**
 * The editor's layouts on a headless Cytoscape core: layered (dagre) and force-directed
 * (cose), as one undoable command, timed on the 1486-link generated machine.
 */
import { describe, expect, it } from 'vitest';
import { CommandStack, layoutCommand } from '@shared/editor/commands';
import type { EditorDocument, Position } from '@shared/editor/document';
import { generateHandcrafted, generateLayered, generateRecurrent } from '@shared/editor/generators';
import { layoutPositions, NEURON_WIDTH } from '../../src-renderer/editor/layouts';

function softLinks(doc: EditorDocument): number {
  return doc.links.filter((l) => l.soft).length;
}

/** The smallest distance between two neuron centres. */
function closest(pos: Map<string, Position>): number {
  const ps = [...pos.values()];
  let best = Infinity;
  for (let i = 0; i < ps.length; i++)
    for (let j = i + 1; j < ps.length; j++) best = Math.min(best, Math.hypot(ps[i]!.x - ps[j]!.x, ps[i]!.y - ps[j]!.y));
  return best;
}

describe('layouts', () => {
  it('layered: every neuron placed, left to right from the driving neurons to the output, no two on top of each other', () => {
    const doc = generateHandcrafted();
    const pos = layoutPositions(doc, 'layered');
    expect([...pos.keys()].sort()).toEqual(doc.neurons.map((n) => n.name).sort());
    for (const p of pos.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    const x = (n: string) => pos.get(n)!.x;
    // input → accum → norm → compare → output along the links
    expect(x('input')).toBeLessThan(x('accum'));
    expect(x('accum')).toBeLessThan(x('norm'));
    expect(x('norm')).toBeLessThan(x('compare'));
    expect(x('compare')).toBeLessThan(x('output'));
    expect(closest(pos)).toBeGreaterThan(20);
  });

  it('force-directed: finite, spread out, deterministic for the same document', () => {
    const doc = generateRecurrent();
    const a = layoutPositions(doc, 'force');
    const b = layoutPositions(doc, 'force');
    expect(a.size).toBe(doc.neurons.length);
    for (const p of a.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    expect([...a]).toEqual([...b]);
    expect(closest(a)).toBeGreaterThan(NEURON_WIDTH / 4);
  });

  it('a layout is one undo step and keeps every link', () => {
    const doc = generateHandcrafted();
    const stack = new CommandStack(doc);
    stack.execute(layoutCommand(doc, layoutPositions(doc, 'force'), 'force-directed layout'));
    expect(stack.undoLabel).toBe('force-directed layout');
    expect(stack.document.links).toBe(doc.links);
    expect(stack.document.neurons.some((n, i) => n.position !== doc.neurons[i]!.position)).toBe(true);
    stack.undo();
    expect(stack.document).toBe(doc);
  });

  it('the 1486-link machine lays out either way, every neuron placed (the time is printed; npm run bench:ui measures it)', () => {
    const doc = generateLayered();
    expect(softLinks(doc)).toBe(1486);
    for (const kind of ['layered', 'force'] as const) {
      const t0 = performance.now();
      const pos = layoutPositions(doc, kind);
      const ms = performance.now() - t0;
      console.log(`${kind} layout of the 1486-link machine (${doc.neurons.length} neurons, headless, Node): ${ms.toFixed(0)} ms`);
      expect(pos.size).toBe(doc.neurons.length);
    }
  });
});
