/**
 * `self-wave` (K = 3) and `self-wave-8` (K = 8): a machine that rewrites its own matrix.
 *
 * The weight on the links Self.delta ← u_k.out is a wave position: exactly one of them
 * holds 1. K const neurons e_j each emit the unit delta "Self.delta ← u_j.out += 1"; the
 * relay u_k sums them with the weights of its links u_k.in ← e_j.out, so u_k emits the
 * delta matrix e_(k+1) − e_k: move the weight from Self.delta ← u_k to Self.delta ←
 * u_(k+1) (indices mod K). Each cycle Self adds Σ_k w_k·u_k (w_k the current weight of
 * Self.delta ← u_k), so the weight travels around a cycle of period K; the hard link
 * Self.matrix ← Self.matrix keeps the matrix. output.dict-1 ← Self.matrix (hard) and the
 * part under Self/delta is compared as a tree: the wave itself.
 *
 * Synthesis starts from random weights on all K×K links u_k.in ← e_j.out (the K×K entries
 * of the K delta matrices) and on the K wave links Self.delta ← u_k.out; gradients flow
 * through Self (the interpreter), and it must recover the cycle.
 */
import type { ProblemInput } from '../problem';
import { neuron, teacher, teacherSizedSchedule, type LinkSpec } from './build';

export const SELF_WAVE = 'self-wave';

const u = (k: number) => `u${k}`;
const e = (k: number) => `e${k}`;

/** The unit delta e_j emits: one more on Self.delta ← u_j.out. */
const unitDelta = (j: number) => ({ Self: { delta: { [u(j)]: { out: 1 } } } });

/** Every candidate link of the synthesis start: the K×K delta entries and the K wave links. */
export function selfWaveCandidates(k: number): { to: string; toPort: string; from: string; fromPort: string }[] {
  const out: { to: string; toPort: string; from: string; fromPort: string }[] = [];
  for (let i = 1; i <= k; i++) {
    for (let j = 1; j <= k; j++) out.push({ to: u(i), toPort: 'in', from: e(j), fromPort: 'out' });
    out.push({ to: 'Self', toPort: 'delta', from: u(i), fromPort: 'out' });
  }
  return out;
}

export function selfWaveProblem(k: number): ProblemInput {
  if (!Number.isInteger(k) || k < 2 || k > 16) throw new RangeError(`self-wave period K must be an integer in [2, 16], got ${k}`);
  const name = k === 3 ? SELF_WAVE : `${SELF_WAVE}-${k}`;
  const neurons = [neuron('Self', 'Self'), neuron('output', 'output')];
  for (let j = 1; j <= k; j++) neurons.push(neuron(e(j), 'const', unitDelta(j)));
  for (let i = 1; i <= k; i++) neurons.push(neuron(u(i), 'identity'));
  const soft: LinkSpec[] = [['Self', 'delta', u(1), 'out', 1]];
  for (let i = 1; i <= k; i++) {
    soft.push([u(i), 'in', e(i), 'out', -1]);
    soft.push([u(i), 'in', e((i % k) + 1), 'out', 1]);
  }
  // a window of 3 start-up cycles then whole periods
  const run = (periods: number) => ({ text: 'wave', cycles: 3 + periods * k });
  return {
    name,
    description: `A machine that rewrites its own matrix: a weight travels around the links Self.delta ← u_1 … u_${k} with period ${k}, each u_k emitting the delta that moves it on. Compared: the wave (output.dict-1 ← Self.matrix, the part under Self/delta, as a tree).`,
    teacher: teacher(neurons, soft, [['output', 'dict-1', 'Self', 'matrix']]),
    input: { kind: 'characters' },
    outputs: [{ neuron: 'output', port: 'dict-1', compare: 'tree', under: ['Self', 'delta'] }],
    data: {
      training: [run(2)],
      validation: [run(4)],
      test: [run(6), run(12), run(25)],
      reference: run(3),
    },
    search: {
      types: ['identity'],
      sources: Array.from({ length: k }, (_, j) => [e(j + 1), 'out'] as [string, string]),
      layers: 1,
      copies: k,
      skip: false,
      scale: 0.3,
      schedule: teacherSizedSchedule(2 * k + 1, {
        start: { kind: 'links', links: selfWaveCandidates(k), scale: 0.3 },
      }),
    },
  };
}
