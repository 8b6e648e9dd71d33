// Issue 6, editor core: live validation names the neuron or link of every problem.
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../src-shared/editor/commands';
import { linkRef, type EditorDocument, type EditorLink } from '../../src-shared/editor/document';
import { generateCompareFree, generateHandcrafted, generateLayered, generateRecurrent } from '../../src-shared/editor/generators';
import { issuesFor, validateDocument, type IssueCode } from '../../src-shared/editor/validate';

const base = generateHandcrafted();
const link = (to: string, toPort: string, from: string, fromPort: string, weight = 1, soft = true): EditorLink => ({
  to,
  toPort,
  from,
  fromPort,
  weight,
  soft,
});
const withLink = (l: EditorLink): EditorDocument => ({ neurons: base.neurons, links: [...base.links, l] });
const codes = (doc: EditorDocument): IssueCode[] => validateDocument(doc).map((i) => i.code);

describe('validation', () => {
  it.each([
    ['hand-crafted', generateHandcrafted],
    ['reference', () => generateLayered()],
    ['compare-free', () => generateCompareFree()],
    ['recurrent', () => generateRecurrent()],
  ])('the %s machine has no issues', (_n, make) => {
    expect(validateDocument(make())).toEqual([]);
  });

  it('unknown neuron type', () => {
    const doc = applyCommand(base, { kind: 'changeType', name: 'norm', type: 'nrom' });
    const issues = validateDocument(doc);
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: 'unknown-type', neuron: 'norm' })]);
    expect(issues[0]!.message).toMatch(/unknown type "nrom"/);
  });

  it('unknown input and output ports, per the registry', () => {
    const bad = link('norm', 'dict-7', 'accum', 'dict');
    expect(validateDocument(withLink(bad))).toEqual([
      expect.objectContaining({
        code: 'unknown-port',
        neuron: 'norm',
        link: linkRef(bad),
        message: expect.stringMatching(/inputs: dict\)/),
      }),
    ]);
    const bad2 = link('norm', 'dict', 'accum', 'sum');
    expect(validateDocument(withLink(bad2))).toEqual([
      expect.objectContaining({ code: 'unknown-port', neuron: 'accum', link: linkRef(bad2) }),
    ]);
  });

  it('links into output-only ports and out of input-only ports', () => {
    const into = link('compare', 'true', 'norm', 'norm');
    expect(validateDocument(withLink(into))).toEqual([
      expect.objectContaining({ code: 'into-output-port', neuron: 'compare', link: linkRef(into) }),
    ]);
    const outOf = link('output', 'dict-1', 'dot', 'dict-2');
    expect(validateDocument(withLink(outOf))).toEqual([
      expect.objectContaining({ code: 'out-of-input-port', neuron: 'dot', link: linkRef(outOf) }),
    ]);
    // output has no output ports at all; const_1 no input ports
    const fromSink = link('norm', 'dict', 'output', 'dict-1');
    expect(codes(withLink(fromSink))).toEqual(['out-of-input-port']);
    const intoConst = link('const_1', 'x', 'norm', 'norm');
    expect(validateDocument(withLink(intoConst))[0]!.message).toMatch(/inputs: none/);
    // timer's port is both input and output: fine
    expect(codes(withLink(link('timer', 'timer', 'input', 'char')))).toEqual([]);
  });

  it('links to or from a neuron that does not exist', () => {
    const l = link('ghost', 'dict', 'accum', 'dict');
    expect(validateDocument(withLink(l))).toEqual([expect.objectContaining({ code: 'unknown-neuron', link: linkRef(l) })]);
  });

  it('missing input or output neurons', () => {
    const noInput = applyCommand(base, { kind: 'removeNeuron', name: 'input' });
    expect(codes(noInput)).toEqual(['missing-input']);
    const noOutput = applyCommand(base, { kind: 'removeNeuron', name: 'output' });
    expect(codes(noOutput)).toEqual(['missing-output']);
    // a neuron named "input" of another type does not count
    const renamed = applyCommand(noInput, {
      kind: 'addNeuron',
      neuron: { name: 'input', type: 'const_1', position: { x: 0, y: 0 } },
    });
    expect(codes(renamed)).toContain('missing-input');
  });

  it('duplicate names, reported once per name', () => {
    const dup = base.neurons.find((n) => n.name === 'dot')!;
    const doc: EditorDocument = { neurons: [...base.neurons, dup, dup], links: base.links };
    expect(validateDocument(doc)).toEqual([expect.objectContaining({ code: 'duplicate-name', neuron: 'dot' })]);
  });

  it('non-finite weights', () => {
    for (const w of [NaN, Infinity, -Infinity]) {
      const doc = applyCommand(base, { kind: 'setWeight', link: linkRef(link('dot', 'dict-2', 'eos', 'char')), weight: w });
      const issues = validateDocument(doc);
      expect(issues).toEqual([expect.objectContaining({ code: 'non-finite-weight', link: linkRef(link('dot', 'dict-2', 'eos', 'char')) })]);
      expect(issuesFor(issues, { link: link('dot', 'dict-2', 'eos', 'char') })).toHaveLength(1);
    }
  });

  it('duplicate links and hard links a saved record cannot keep are warnings', () => {
    const dup = base.links.find((l) => l.soft)!;
    expect(validateDocument({ neurons: base.neurons, links: [...base.links, dup] })).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'duplicate-link', link: linkRef(dup) }),
    ]);
    const hard = link('dot', 'dict-1', 'accum', 'dict', 1, false);
    expect(validateDocument(withLink(hard))).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'not-saved', link: linkRef(hard) }),
    ]);
    expect(validateDocument(withLink(hard), { graph: false })).toEqual([]);
  });

  it('validates the 1486-link machine (the time is printed; npm run bench:ui measures it)', () => {
    const doc = generateLayered();
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) validateDocument(doc);
    const ms = (performance.now() - t0) / 10;
    console.log(`validate 1486-link machine: ${ms.toFixed(2)} ms`);
  });
});
