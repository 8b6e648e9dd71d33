/**
 * Loading the circuits of the diff screen (src-renderer/diff/load-circuit.ts) through a fake
 * lab client: `run:ID` is the run's last snapshot *at loading time*, and the loaded circuit
 * names that snapshot (`resolved: snap:ID`), which is what a saved comparison stores — so a
 * run that goes on does not change the comparison. Other references resolve to themselves.
 */
import { describe, expect, it } from 'vitest';
import { matrixLinks } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { HANDCRAFTED_EMBEDDING } from '../../src-shared/synthesis/start';
import type { LabClient } from '../../src-renderer/api/connect';
import { loadCircuit } from '../../src-renderer/diff/load-circuit';

const HAND_SOFT = matrixLinks(handcraftedDetector().trainable);
const links = HAND_SOFT.map((l) => ({
  to: HANDCRAFTED_EMBEDDING[l.to] ?? l.to,
  toPort: l.toPort,
  from: HANDCRAFTED_EMBEDDING[l.from] ?? l.from,
  fromPort: l.fromPort,
}));

/** A certificate event of run 3 covering the hand-crafted links. */
const certificateEvent = {
  id: 1,
  runId: 3,
  step: 200,
  kind: 'certificate',
  at: 0,
  data: {
    kind: 'certificate',
    softLinks: links.length,
    necessary: HAND_SOFT.map((l) => ({ link: `${l.to}.${l.toPort} ← ${l.from}.${l.fromPort}`, lossWithout: 5 })),
  },
};

/** A lab with run 3 (of `status`) whose snapshots are `snapshots` (ids, oldest first); records the calls. */
function fakeLab(snapshots: number[], status = 'completed') {
  const calls: string[] = [];
  const client = {
    'runs.snapshots': async ({ id }: { id: number }) => {
      calls.push(`runs.snapshots ${id}`);
      return snapshots.map((s, i) => ({ id: s, runId: id, step: 100 * i }));
    },
    'snapshots.get': async ({ id }: { id: number }) => {
      calls.push(`snapshots.get ${id}`);
      if (!snapshots.includes(id)) throw new Error(`snapshot ${id} does not exist`);
      return { id, runId: 3, step: 100 * snapshots.indexOf(id), weights: { links, weights: HAND_SOFT.map((l) => l.weight) } };
    },
    'runs.get': async ({ id }: { id: number }) => {
      calls.push(`runs.get ${id}`);
      return { id, name: 'seed 5', status };
    },
    'runs.events': async ({ id }: { id: number }) => {
      calls.push(`runs.events ${id}`);
      return [certificateEvent];
    },
    'architectures.get': async ({ id }: { id: number }) => {
      calls.push(`architectures.get ${id}`);
      return {
        id,
        name: 'hand copy',
        version: 2,
        graph: {
          neurons: handcraftedDetector().neurons.map((n) => ({ name: n.name, type: n.type })),
          matrix: handcraftedDetector().trainable,
          positions: {},
        },
      };
    },
  };
  return { client: client as unknown as LabClient, calls };
}

describe('loading a circuit for the diff', () => {
  it("run:ID is the run's last snapshot now, and resolves to that snapshot's reference", async () => {
    const lab = fakeLab([11, 17, 42]);
    const c = await loadCircuit(lab.client, 'run:3');
    expect(c.ref).toBe('run:3');
    expect(c.resolved).toBe('snap:42');
    expect(c.label).toBe('run 3 “seed 5”, step 200 (snapshot 42)');
    expect(c.short).toBe('run 3 @200');
    expect(lab.calls).toContain('snapshots.get 42');
    expect(matrixLinks(c.spec.trainable)).toHaveLength(HAND_SOFT.length);
    // the run went on: a new load follows it, the resolved reference of the first load does not
    const later = fakeLab([11, 17, 42, 58]);
    expect((await loadCircuit(later.client, 'run:3')).resolved).toBe('snap:58');
    const again = await loadCircuit(later.client, c.resolved);
    expect(again.resolved).toBe('snap:42');
    expect(again.short).toBe('run 3 @200');
  });

  it('snap:, arch: and hand resolve to themselves (trimmed)', async () => {
    // a snapshot before the run's last stays itself (the run's snapshots are listed only to know whether it is the final one)
    const lab = fakeLab([11, 17, 20]);
    expect((await loadCircuit(lab.client, 'snap:17')).resolved).toBe('snap:17');
    expect((await loadCircuit(lab.client, ' arch:9 ')).resolved).toBe('arch:9');
    expect((await loadCircuit(lab.client, 'hand')).resolved).toBe('hand');
  });

  it("carries the run's certificate only for the final snapshot of a run that has ended", async () => {
    const ended = fakeLab([11, 17]);
    expect((await loadCircuit(ended.client, 'run:3')).certificate?.necessary).toHaveLength(HAND_SOFT.length);
    expect((await loadCircuit(ended.client, 'snap:17')).certificate?.necessary).toHaveLength(HAND_SOFT.length);
    const earlier = fakeLab([11, 17]);
    expect((await loadCircuit(earlier.client, 'snap:11')).certificate).toBeUndefined();
    expect(earlier.calls).not.toContain('runs.events 3');
    const running = fakeLab([11, 17], 'running');
    expect((await loadCircuit(running.client, 'run:3')).certificate).toBeUndefined();
    expect(running.calls).not.toContain('runs.events 3');
  });

  it('a run without snapshots, or a snapshot that is gone, says so with the reference', async () => {
    await expect(loadCircuit(fakeLab([]).client, 'run:3')).rejects.toThrow('run:3: run 3 has no snapshot yet');
    await expect(loadCircuit(fakeLab([11]).client, 'snap:99')).rejects.toThrow('snap:99: snapshot 99 does not exist');
  });

  it("teacher:NAME loads the problem's teacher; a run of that problem is read in its frame (its teacher's neurons by name)", async () => {
    const { builtinProblemInputs } = await import('../../src-shared/problems/builtin/index');
    const { teacherSpec, parseProblem } = await import('../../src-shared/problems/problem');
    const definition = builtinProblemInputs()[2] as unknown as Record<string, unknown>; // bracket-count
    const teacher = teacherSpec(parseProblem(definition));
    const soft = matrixLinks(teacher.trainable);
    const calls: string[] = [];
    const client = {
      'problems.get': async ({ id, version }: { id: string; version?: number }) => {
        calls.push(`problems.get ${id} ${version ?? 'latest'}`);
        return { info: { version: version ?? 2 }, definition };
      },
      'runs.snapshots': async () => [{ id: 5, runId: 8, step: 10 }],
      'snapshots.get': async () => ({ id: 5, runId: 8, step: 10, weights: { links: soft, weights: soft.map((l) => l.weight) } }),
      'runs.get': async ({ id }: { id: number }) => ({
        id,
        name: 'brackets',
        problem: 'bracket-count',
        problemVersion: 1,
        status: 'completed',
      }),
      'runs.events': async () => [],
    } as unknown as LabClient;
    const t = await loadCircuit(client, 'teacher:bracket-count');
    expect([t.resolved, t.label, t.problem?.name]).toEqual(['teacher:bracket-count@2', 'the teacher of bracket-count v2', 'bracket-count']);
    expect(t.spec).toEqual(teacher);
    const r = await loadCircuit(client, 'run:8');
    expect(calls).toContain('problems.get bracket-count 1');
    expect(r.problem?.name).toBe('bracket-count');
    // the teacher's neurons (the const B with its parameters) and hard links are there
    expect(r.spec.neurons.find((n) => n.name === 'B')).toEqual({ name: 'B', type: 'const', params: { '(': 1, ')': -1 } });
    expect(matrixLinks(r.spec.fixed)).toEqual(matrixLinks(teacher.fixed));
    expect(r.spec.trainable).toEqual(teacher.trainable);
  });
});
