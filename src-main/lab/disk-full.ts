/**
 * What the lab does when its database cannot be written (the disk is full, the file became
 * unwritable): it says so (`lab.status` disk-full, with the reason), gives back its disk
 * reserve so that holding runs and purging can still be recorded, and holds every run —
 * paused, their messages kept in order, nothing acknowledged, so nothing is lost. Every
 * `retryMs` it looks for room (the reserve could be made again with as much to spare); then
 * it stores what was held, makes the reserve again and lets the runs go on.
 */
import type { Supervisor } from '../runs/supervisor';
import type { DiskReserve } from './disk-reserve';
import type { LabHealth } from './lab-health';

export class DiskFullMonitor {
  private timer: NodeJS.Timeout | undefined;
  private supervisor: Supervisor | undefined;

  constructor(
    private readonly health: LabHealth,
    private readonly reserve: DiskReserve,
    private readonly retryMs = 2000,
  ) {}

  /** Set once the supervisor exists (it reports to this monitor). */
  attach(supervisor: Supervisor): void {
    this.supervisor = supervisor;
  }

  /** The database could not be written because of `reason`. */
  enter(reason: string): void {
    if (this.health.mode === 'read-only') return;
    const first = this.health.mode !== 'disk-full';
    this.health.set('disk-full', `${reason}: runs are paused until there is space again (purge runs from the trash, or free disk space)`);
    if (first) this.reserve.release();
    this.supervisor?.holdAll(reason);
    this.timer ??= setInterval(() => this.tick(), this.retryMs);
  }

  /** One look for room; true when the lab writes again. */
  tick(): boolean {
    if (this.health.mode !== 'disk-full') return this.stop();
    if (!this.reserve.roomToResume()) return false;
    const s = this.supervisor;
    if (s && !s.retryHeld()) return false;
    this.reserve.make();
    this.health.set('read-write');
    this.stop();
    s?.pump();
    return true;
  }

  stop(): boolean {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.health.mode === 'read-write';
  }
}
