/**
 * The synthesis progress bar on a terminal (cli-progress): the bar measures how far the
 * soft-link count has come down (log scale, start → target); the line shows the phase,
 * the step, the soft links and the training loss, and each decision scrolls above it.
 */
import cliProgress from 'cli-progress';
import type { StepMetrics, SynthesisEvent } from '../../src-shared/synthesis/events';
import type { Schedule } from '../../src-shared/synthesis/schedule';

export class SynthProgress {
  private readonly bars: cliProgress.MultiBar;
  private readonly bar: cliProgress.SingleBar;
  private startLinks: number | undefined;
  private lastDraw = 0;

  constructor(private readonly schedule: Schedule) {
    this.bars = new cliProgress.MultiBar(
      {
        format: '{phase} |{bar}| {links} soft links | step {step} | loss {loss}',
        hideCursor: true,
        clearOnComplete: false,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.bars.create(1000, 0, { phase: 'dense   ', links: '-', step: 0, loss: '-' });
  }

  private fraction(links: number): number {
    const start = this.startLinks ?? links;
    const target = Math.max(1, this.schedule.stop.targetLinks);
    if (start <= target) return 1;
    return Math.min(1, Math.max(0, Math.log(start / Math.max(links, target)) / Math.log(start / target)));
  }

  step(m: StepMetrics): void {
    this.startLinks ??= m.softLinks;
    const now = Date.now();
    if (now - this.lastDraw < 100) return; // ≤ 10 redraws a second
    this.lastDraw = now;
    this.bar.update(Math.round(1000 * this.fraction(m.softLinks)), {
      phase: m.phase.padEnd(8),
      links: m.softLinks,
      step: m.step,
      loss: m.preregLoss.toPrecision(4),
    });
  }

  event(e: SynthesisEvent): void {
    let line: string | undefined;
    switch (e.kind) {
      case 'accept':
        line = `round ${e.round}: kept the cut, ${e.softLinks} soft links, loss ${e.preregLoss.toPrecision(3)} ≤ ${e.target.toPrecision(3)}`;
        break;
      case 'backtrack':
        line = `round ${e.round}: undid the cut (loss ${e.preregLoss.toPrecision(3)} > ${e.target.toPrecision(3)}), ${e.next}`;
        break;
      case 'regrow':
        line = `regrow ${e.round}: ${e.added} links back among the neurons in use`;
        break;
      case 'fine':
        line = `one neuron or link at a time from now on (${e.reason})`;
        break;
      case 'spike':
        line = `step ${e.step}: undid a step whose loss jumped to ${e.loss.toPrecision(3)} from ${e.before.toPrecision(3)}; learning rate now ${e.lr.toPrecision(3)}`;
        break;
      case 'stop':
        line = `stopped: ${e.reason}`;
        break;
    }
    if (line) this.bars.log(line + '\n');
  }

  stop(): void {
    this.bar.update(1000);
    this.bars.stop();
  }
}
