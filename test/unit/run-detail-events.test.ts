/** The event log in words, its filters and the chart markers (src-renderer/runs/detail/events.ts). */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src-shared/api/records';
import { fmt } from '../../src-renderer/lib/format-number';
import { describeEvent, filterEvents, kindCounts, MARKER_COLORS, markersOf } from '../../src-renderer/runs/detail/events';

let nextId = 1;
const ev = (kind: string, data: Record<string, unknown>, step = 10): EventRecord => ({
  id: nextId++,
  runId: 1,
  step,
  kind,
  at: 0,
  data: { kind, step, ...data },
});
const link = (to: string, from: string) => ({ to, toPort: 'dict', from, fromPort: 'out' });

describe('describeEvent', () => {
  it('says what each synthesis decision was, with its numbers', () => {
    expect(
      describeEvent(
        ev('cut', {
          round: 2,
          attempt: 1,
          rule: 'fraction 0.5',
          removed: [link('a', 'b'), link('c', 'd')],
          linksBefore: 40,
          lambda1: 0.003,
          target: 0.25,
          softLinks: 38,
        }),
      ),
    ).toBe('round 2 try 1: cut 2 of 40 links by fraction 0.5, λ1 0.003, target loss 0.25');
    expect(describeEvent(ev('accept', { round: 2, preregLoss: 0.1234567, target: 0.25, retrainSteps: 150, softLinks: 38 }))).toBe(
      'round 2 accepted after 150 steps: loss 0.1235 ≤ 0.25 (38 links)',
    );
    expect(
      describeEvent(ev('backtrack', { round: 3, preregLoss: 4, target: 0.3, retrainSteps: 200, restored: 19, next: 'gentler 0.25' })),
    ).toContain('19 links restored; next: gentler 0.25');
    expect(
      describeEvent(
        ev('prune', { threshold: 0.01, removed: [link('a', 'b'), link('c', 'd'), link('e', 'f'), link('g', 'h')], linksBefore: 30 }),
      ),
    ).toBe('pruned 4 of 30 links below 0.01: a.dict ← b.out, c.dict ← d.out, e.dict ← f.out and 1 more');
    expect(
      describeEvent(
        ev('verdict', { passed: false, trainLoss: 0.02, validationWorst: 0.5, failures: ['train loss 0.02 > 0.001'], softLinks: 9 }),
      ),
    ).toBe('failed: train loss 0.02, validation worst 0.5 — train loss 0.02 > 0.001 (9 links)');
    expect(describeEvent(ev('stop', { reason: 'target', preregLoss: 1e-5, softLinks: 8 }))).toBe('stopped (target) at loss 1e-5 (8 links)');
    expect(describeEvent(ev('merge', { merged: ['a into b', 'c into d', 'e into f', 'g into h', 'i into j'], softLinks: 50 }))).toBe(
      'merged a into b; c into d; e into f and 2 more (50 links)',
    );
    expect(describeEvent(ev('regrow', { round: 1, added: 12, softLinks: 20 }))).toBe('round 1: regrew 12 links (20 links)');
    const necessary = [
      { link: 'a.dict ← b.out', lossWithout: 96.1 },
      { link: 'c.dict ← d.out', lossWithout: 1748 },
    ];
    expect(describeEvent(ev('certificate', { necessary, removals: [{ kind: 'bypass' }], softLinks: 2 }))).toBe(
      'minimality certificate: 1 move accepted; no single link of 2 can be removed (without any, loss ≥ 96.1)',
    );
    expect(describeEvent(ev('certificate', { necessary: [], removals: [], refused: 'the result fails its verdict: x' }))).toBe(
      'no minimality certificate: the result fails its verdict: x',
    );
  });

  it('reads commands, controls and errors of the supervisor', () => {
    expect(describeEvent(ev('command', { command: { kind: 'set', lambda1: 0.002, lr: 0.01 } }))).toBe('command: set λ1 = 0.002, lr = 0.01');
    expect(describeEvent(ev('command', { command: { kind: 'prune', threshold: 0.05 } }))).toBe('command: prune now below |w| < 0.05');
    expect(describeEvent(ev('command', { command: { kind: 'pause' } }))).toBe('command: pause');
    expect(describeEvent(ev('control', { control: { kind: 'set', lr: 0.5 }, phase: 'sparsify', softLinks: 30 }))).toBe(
      'applied set lr = 0.5 in phase sparsify (30 links)',
    );
    expect(describeEvent(ev('error', { message: 'boom' }))).toBe('boom');
  });

  it('survives missing fields and unknown kinds', () => {
    expect(describeEvent(ev('cut', {}))).toBe('round ? try ?: cut ? of ? links by ?, λ1 —, target loss —');
    expect(describeEvent(ev('something-new', { x: 1 }))).toBe('{"step":10,"x":1}');
    expect(describeEvent(ev('weird', { big: 'y'.repeat(500) })).length).toBeLessThanOrEqual(201);
  });
});

describe('filters and markers', () => {
  const events = [
    ev('phase', { phase: 'dense' }, 0),
    ev('cut', { rule: 'fraction 0.5' }, 100),
    ev('accept', {}, 150),
    ev('cut', { rule: 'neuron norm-2-1' }, 160),
    ev('backtrack', {}, 200),
    ev('regrow', {}, 300),
    ev('prune', {}, 310),
    ev('merge', { merged: ['a'] }, 320),
  ];

  it('counts kinds, most frequent first', () => {
    expect(kindCounts(events)[0]).toEqual({ kind: 'cut', count: 2 });
    expect(kindCounts(events).map((k) => k.kind)).toEqual(['cut', 'accept', 'backtrack', 'merge', 'phase', 'prune', 'regrow']);
  });

  it('filters by kind and text', () => {
    expect(filterEvents(events, new Set()).length).toBe(events.length);
    expect(filterEvents(events, new Set(['cut', 'accept'])).map((e) => e.kind)).toEqual(['cut', 'accept', 'cut']);
    expect(filterEvents(events, new Set(), 'NORM-2').map((e) => e.step)).toEqual([160]);
    expect(filterEvents(events, new Set(['accept']), 'norm')).toEqual([]);
  });

  it('marks cuts, accepts, backtracks, regrows and prunes at their steps', () => {
    expect(markersOf(events).map((m) => [m.step, m.kind])).toEqual([
      [100, 'cut'],
      [150, 'accept'],
      [160, 'cut'],
      [200, 'backtrack'],
      [300, 'regrow'],
      [310, 'prune'],
    ]);
    expect(markersOf(events)[0]?.color).toBe(MARKER_COLORS['cut']);
  });

  it('drops the markers of steps a continuation replaced', () => {
    const log = [
      ev('cut', {}, 100),
      ev('accept', {}, 150),
      ev('cut', {}, 300),
      ev('continue', { snapshotId: 4, fromStep: 150, previousStatus: 'completed' }, 150),
      ev('cut', {}, 200),
    ];
    expect(markersOf(log).map((m) => [m.step, m.kind])).toEqual([
      [100, 'cut'],
      [150, 'accept'],
      [200, 'cut'],
    ]);
    expect(describeEvent(log[3] as EventRecord)).toBe('continued from snapshot 4 at step 150 (was completed); later steps replaced');
  });

  it('formats numbers compactly', () => {
    expect(fmt(null)).toBe('—');
    expect(fmt(0)).toBe('0');
    expect(fmt(0.000123)).toBe('1.23e-4');
    expect(fmt(434.98634208263843)).toBe('435');
    expect(fmt(123456)).toBe('1.235e+5');
    expect(fmt(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});
