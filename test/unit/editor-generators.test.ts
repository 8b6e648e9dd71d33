// Issue 6, editor core: generators of starting architectures as documents with positions.
import { describe, expect, it } from 'vitest';
import { documentToSpec, type EditorDocument } from '../../src-shared/editor/document';
import { generateCompareFree, generateHandcrafted, generateLayered, generateRecurrent } from '../../src-shared/editor/generators';
import { INTERNEURON_TYPES } from '../../src-shared/machine/neuron-types';
import { REFERENCE_ARCHITECTURE } from '../../src-shared/problems/duplicates/architecture';

const soft = (d: EditorDocument) => d.links.filter((l) => l.soft).length;
const hard = (d: EditorDocument) => d.links.filter((l) => !l.soft).length;
const x = (d: EditorDocument, name: string) => d.neurons.find((n) => n.name === name)!.position.x;

function distinctPositions(d: EditorDocument): boolean {
  return new Set(d.neurons.map((n) => `${n.position.x},${n.position.y}`)).size === d.neurons.length;
}

describe('generators', () => {
  it('the reference layered machine has 1486 soft links, laid out by layer', () => {
    const t0 = performance.now();
    const d = generateLayered();
    console.log(`generate + place the 1486-link machine: ${(performance.now() - t0).toFixed(1)} ms`);
    expect(soft(d)).toBe(1486);
    expect(d.neurons).toHaveLength(5 + 5 * 2 * 4);
    expect(hard(d)).toBe(2 + 10); // timer self-link, input.timer, one self-link per accum
    expect(distinctPositions(d)).toBe(true);
    expect(x(d, 'input')).toBe(0);
    expect(x(d, 'accum-1-1')).toBeLessThan(x(d, 'accum-2-1'));
    expect(x(d, 'dot-5-2')).toBeLessThan(x(d, 'output'));
  });

  it('options: without skip connections, other seeds and sizes', () => {
    const noSkip = generateLayered({ ...REFERENCE_ARCHITECTURE, skip: false });
    expect(soft(noSkip)).toBeLessThan(1486);
    const a = generateLayered({ ...REFERENCE_ARCHITECTURE, seed: 5 });
    expect(a.links.map((l) => l.weight)).not.toEqual(generateLayered().links.map((l) => l.weight));
    expect(() => generateLayered({ ...REFERENCE_ARCHITECTURE, layers: 0 })).toThrow(RangeError);
  });

  it('the compare-free variant has 942 soft links and no compare neurons', () => {
    const d = generateCompareFree();
    expect(soft(d)).toBe(942);
    expect(d.neurons.some((n) => n.type === 'compare')).toBe(false);
  });

  it('the hand-crafted detector: 9 neurons, 8 soft and 3 hard links, all weight 1', () => {
    const d = generateHandcrafted();
    expect(d.neurons).toHaveLength(9);
    expect([soft(d), hard(d)]).toEqual([8, 3]);
    expect(d.links.every((l) => l.weight === 1)).toBe(true);
    expect(distinctPositions(d)).toBe(true);
  });

  it('the fully connected recurrent machine links every soft input port from every output port', () => {
    const d = generateRecurrent();
    // per copy-set: inputs accum.dict-2, norm.dict, compare.dict-1/2, dot.dict-1/2 = 6; outputs 5
    const inputs = 2 * 6 + 2;
    const outputs = 3 + 2 * 5;
    expect(soft(d)).toBe(inputs * outputs);
    expect(d.neurons).toHaveLength(5 + 2 * INTERNEURON_TYPES.length);
    expect(d.links).toContainEqual(
      expect.objectContaining({ to: 'accum-1-1', toPort: 'dict-2', from: 'accum-1-1', fromPort: 'dict', soft: true }),
    );
    expect(distinctPositions(d)).toBe(true);
    expect(generateRecurrent({ copies: 1, types: ['accum', 'dot'], placement: 'layered' }).neurons).toHaveLength(7);
    expect(documentToSpec(d).neurons).toHaveLength(13);
    expect(() => generateRecurrent({ types: ['output'] })).toThrow(RangeError);
  });
});
