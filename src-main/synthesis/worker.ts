/**
 * A synthesis worker thread. It holds the circuit (sent on every structural change) and
 * either evaluates evolution-strategies members on a replica of θ and the optimiser, which
 * it updates from the same scalar losses as the main thread, or computes the fit and
 * gradient of its share of the training strings.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setDefaultEngine } from '../../src-shared/machine/engine-choice';
import { Adam } from '../../src-shared/optim/adam';
import { symbolsOf } from '../../src-shared/problems/problem';
import { taskOf, TeacherTargets } from '../../src-shared/problems/targets';
import type { Circuit } from '../../src-shared/synthesis/circuit';
import { defaultProblem } from '../../src-shared/synthesis/start';
import { applyEsUpdate, evaluateMembers } from '../../src-shared/synthesis/es';
import { SetObjective } from '../../src-shared/synthesis/objective';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol';

const init = workerData as WorkerInit;
setDefaultEngine(init.engine);
const targets = new TeacherTargets(taskOf(init.problem ?? defaultProblem()));
const alphabet = symbolsOf(
  [...init.training.strings, ...init.testSuite].map((s) => s.text),
  targets.task.mode,
);
let objective: SetObjective | undefined;
let w = new Float64Array(0);
let adam: Adam | undefined;

function reply(r: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(r, transfer);
}

parentPort?.on('message', (m: WorkerRequest) => {
  try {
    switch (m.kind) {
      case 'sync': {
        const circuit: Circuit = { base: m.base, links: m.links, weights: Float64Array.from(m.weights) };
        objective = new SetObjective(circuit, init.training.strings, alphabet, init.gradients, init.training.curriculum, targets);
        w = Float64Array.from(m.weights);
        adam = new Adam(w.length, m.adam.settings, m.adam.state);
        reply({ kind: 'synced', id: m.id });
        break;
      }
      case 'es': {
        if (!objective || !adam || !init.es) throw new Error('ES request before sync');
        if (m.pending) applyEsUpdate(objective, w, adam, m.pending, init.es, init.seed);
        const losses = evaluateMembers(objective, w, init.es, init.seed, m.generation, m.step, m.from, m.to);
        reply({ kind: 'losses', id: m.id, losses });
        break;
      }
      case 'grad': {
        if (!objective) throw new Error('gradient request before sync');
        const o = objective;
        const grads = m.strings.map(() => new Float64Array(m.weights.length));
        const fits = m.strings.map((i, k) => o.fitOne(m.weights, i, m.step, grads[k]));
        reply(
          { kind: 'grads', id: m.id, fits, grads },
          grads.map((g) => g.buffer),
        );
        break;
      }
    }
  } catch (e) {
    reply({ kind: 'error', id: m.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
