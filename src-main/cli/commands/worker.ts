/**
 * `worker --redis URL`: a headless cluster worker that trains runs sent by a desktop (or by
 * `sweep --cluster`), one process per run, until Ctrl+C (which lets the runs it has end first;
 * a second Ctrl+C leaves at once, and the desktop resumes them from their last snapshots).
 */
import type { Command } from 'commander';
import { ClusterError } from '../../cluster/redis-connect';
import { positiveInt, UserError } from '../io';

interface WorkerOptions {
  redis: string;
  concurrency: number;
  threads?: number;
  lockMs?: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('train runs from the cluster queue (BullMQ on Redis), one process per run')
    .requiredOption('--redis <url>', 'the cluster Redis: redis://[user:password@]host:6379 (rediss:// for TLS)')
    .option('--concurrency <n>', 'runs at once', positiveInt('--concurrency'), 1)
    .option('--threads <m>', 'gradient threads inside each run process', (v: string) => positiveInt('--threads')(v))
    .option('--lock-ms <ms>', 'lock time of a job (a killed worker is noticed after about this long)', positiveInt('--lock-ms'))
    .action(async (o: WorkerOptions) => {
      const { startClusterWorker } = await import('../../cluster/cluster-worker');
      let worker;
      try {
        worker = await startClusterWorker({
          url: o.redis,
          concurrency: o.concurrency,
          ...(o.threads !== undefined ? { threads: o.threads } : {}),
          ...(o.lockMs !== undefined ? { lockMs: o.lockMs } : {}),
          log: (line) => process.stderr.write(`${line}\n`),
        });
      } catch (e) {
        if (e instanceof ClusterError) throw new UserError(e.message);
        throw e;
      }
      const running = worker;
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) process.exit(130);
          stopping = true;
          process.stderr.write('worker: finishing the runs it has (Ctrl+C again to leave at once)\n');
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
