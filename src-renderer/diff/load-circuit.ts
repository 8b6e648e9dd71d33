/**
 * Loads the circuit a reference names through the lab's API: a snapshot, a run's last
 * snapshot (in the frame of the run's problem), a library architecture, the built-in
 * hand-crafted detector, or a problem's teacher.
 */
import type { MachineSpec } from '@shared/machine/spec';
import { handcraftedDetector } from '@shared/problems/duplicates/handcrafted';
import { parseProblem, teacherSpec, type Problem } from '@shared/problems/problem';
import type { LabClient } from '../api/connect';
import { certificateOf, type CertificateView } from '../lib/certificate';
import { formatCircuitRef, parseCircuitRef } from './circuit-ref';
import { specFromArchitecture, specFromWeights } from './circuit-spec';

export interface LoadedCircuit {
  readonly ref: string;
  /**
   * The reference of exactly what was loaded: `run:ID` resolved to the `snap:ID` of the run's
   * last snapshot at loading time (a run that goes on would otherwise change a saved
   * comparison); any other reference unchanged.
   */
  readonly resolved: string;
  /** What the person reads: "run 3 “seed 5”, step 480", "the hand-crafted detector". */
  readonly label: string;
  /** A short name for legends: "run 3 @480", "hand-crafted". */
  readonly short: string;
  readonly spec: MachineSpec;
  /** The problem the circuit belongs to: a teacher's, or the run's (undefined: the duplicate detector's, or unknown). */
  readonly problem?: Problem | undefined;
  /** The run's minimality certificate, when the circuit is the final snapshot of a run that has one. */
  readonly certificate?: CertificateView | undefined;
}

/** A problem version through the API, validated. */
export async function loadProblem(client: LabClient, id: string, version?: number): Promise<{ problem: Problem; version: number }> {
  const v = await client['problems.get']({ id, ...(version !== undefined ? { version } : {}) });
  return { problem: parseProblem(v.definition), version: v.info.version };
}

/** Throws an Error whose message names the reference and what went wrong. */
export async function loadCircuit(client: LabClient, ref: string): Promise<LoadedCircuit> {
  const p = parseCircuitRef(ref);
  if ('error' in p) throw new Error(p.error);
  const fail = (e: unknown): never => {
    throw new Error(`${ref}: ${e instanceof Error ? e.message : String(e)}`);
  };
  try {
    switch (p.kind) {
      case 'hand':
        return {
          ref,
          resolved: formatCircuitRef(p),
          label: 'the hand-crafted detector',
          short: 'hand-crafted',
          spec: handcraftedDetector(),
        };
      case 'teacher': {
        const { problem, version } = await loadProblem(client, p.problem, p.version);
        return {
          ref,
          resolved: `teacher:${p.problem}@${version}`,
          label: `the teacher of ${p.problem} v${version}`,
          short: `teacher ${p.problem}`,
          spec: teacherSpec(problem),
          problem,
        };
      }
      case 'arch': {
        const a = await client['architectures.get']({ id: p.id });
        return {
          ref,
          resolved: formatCircuitRef(p),
          label: `architecture “${a.name}” v${a.version}`,
          short: `${a.name} v${a.version}`,
          spec: specFromArchitecture(a.graph),
        };
      }
      case 'snap':
      case 'run': {
        let snapId = p.id;
        let lastOfRun: number | undefined;
        if (p.kind === 'run') {
          const list = await client['runs.snapshots']({ id: p.id });
          const last = list.at(-1);
          if (!last) throw new Error(`run ${p.id} has no snapshot yet`);
          snapId = last.id;
          lastOfRun = last.id;
        }
        const snap = await client['snapshots.get']({ id: snapId });
        const run = await client['runs.get']({ id: snap.runId }).catch(() => null);
        if (lastOfRun === undefined && run) lastOfRun = (await client['runs.snapshots']({ id: run.id })).at(-1)?.id;
        // the certificate is of the run's result: its final snapshot, once the run has ended
        const certificate =
          run && !['queued', 'running', 'paused'].includes(run.status) && lastOfRun === snap.id
            ? certificateOf(await client['runs.events']({ id: run.id }))
            : undefined;
        const name = run ? ` “${run.name}”` : '';
        // the run's own problem gives the frame (its fixed neurons and hard links)
        const problem =
          run?.problem && run.problem !== 'duplicates'
            ? (await loadProblem(client, run.problem, run.problemVersion ?? undefined)).problem
            : undefined;
        return {
          ref,
          resolved: `snap:${snap.id}`,
          label: `run ${snap.runId}${name}, step ${snap.step} (snapshot ${snap.id})`,
          short: `run ${snap.runId} @${snap.step}`,
          spec: specFromWeights(snap.weights.links, snap.weights.weights, problem),
          problem,
          certificate,
        };
      }
    }
  } catch (e) {
    return fail(e);
  }
}
