/**
 * What the run browser does to runs, as state: move to the trash, restore, delete for good
 * (after the confirmation the screen shows while `purgeIds` is set), tag and notes changes
 * reported by the side panel, and the JSON export. Each updates the rows at once (the lab's
 * events confirm it later), reports through the toast with an undo where one exists, and
 * reports a failure in the banner. One action at a time (`busy`).
 */
import type { RunSummary } from '@shared/api/records';
import { errorMessage } from '../../lib/api';
import { exportJson, purgeRuns, restoreRuns, restoreTags, trashRuns, type BrowserClient, type TagChange } from './actions';
import { downloadText, exportFileName } from '../../lib/download';
import { plural } from './format';
import type { LiveRows } from './live-updates';

export interface ActionHooks {
  notify(message: string, undo?: () => Promise<void>): void;
  report(message: string): void;
  /** The trash gained (positive) or lost runs through an action here. */
  trashCountChanged(delta: number): void;
}

export class RunActions {
  busy = $state(false);
  /** Runs waiting for the "delete for good" confirmation. */
  purgeIds = $state.raw<readonly number[] | undefined>(undefined);
  purgeBusy = $state(false);
  /** Bumped when an undo rewrote notes behind the side panel's back (it reloads them). */
  notesVersion = $state(0);

  constructor(
    private readonly lab: BrowserClient,
    private readonly rows: LiveRows,
    private readonly hooks: ActionHooks,
  ) {}

  trash = async (runs: readonly RunSummary[]): Promise<void> => {
    if (runs.length === 0 || this.busy) return;
    const { lab, hooks } = this;
    this.busy = true;
    try {
      const out = await trashRuns(lab, runs);
      const skipped =
        out.skipped.length > 0
          ? ` ${plural(out.skipped.length, 'run is', 'runs are')} running or paused: stop ${out.skipped.length === 1 ? 'it' : 'them'} first.`
          : '';
      if (out.ids.length === 0) {
        hooks.report(`Nothing moved to the trash:${skipped}`);
        return;
      }
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
      const moved = new Set(out.ids);
      const at = Date.now();
      this.rows.applyLive({
        changed: runs.filter((r) => moved.has(r.id)).map((r) => ({ ...r, deletedAt: at })),
        removed: [],
        progress: [],
      });
      hooks.trashCountChanged(out.moved);
      hooks.notify(`Moved ${plural(out.moved, 'run')} to the trash.${skipped}`, async () => {
        await restoreRuns(lab, out.ids);
      });
    } catch (e) {
      hooks.report(`Nothing moved to the trash: ${errorMessage(e)}`);
    } finally {
      this.busy = false;
    }
  };

  restore = async (runs: readonly RunSummary[]): Promise<void> => {
    if (runs.length === 0 || this.busy) return;
    const { lab, hooks } = this;
    this.busy = true;
    try {
      const ids = runs.map((r) => r.id);
      const count = await restoreRuns(lab, ids);
      this.rows.applyLive({ changed: runs.map((r) => ({ ...r, deletedAt: null })), removed: [], progress: [] });
      hooks.trashCountChanged(-count);
      hooks.notify(`Restored ${plural(count, 'run')}.`, async () => {
        await lab['runs.trash']({ ids });
      });
    } catch (e) {
      hooks.report(`Nothing restored: ${errorMessage(e)}`);
    } finally {
      this.busy = false;
    }
  };

  /** Deletes the runs waiting for confirmation for good. */
  purgeConfirmed = async (): Promise<void> => {
    const ids = this.purgeIds;
    if (ids === undefined) return;
    this.purgeBusy = true;
    try {
      const count = await purgeRuns(this.lab, ids);
      this.rows.applyLive({ changed: [], removed: [...ids], progress: [] });
      this.hooks.trashCountChanged(-count);
      this.hooks.notify(`Deleted ${plural(count, 'run')} for good; their space is freed.`);
      this.purgeIds = undefined;
    } catch (e) {
      this.hooks.report(`Nothing deleted: ${errorMessage(e)}`);
      this.purgeIds = undefined;
    } finally {
      this.purgeBusy = false;
    }
  };

  tagsChanged = (change: TagChange, what: string): void => {
    this.rows.applyLive({ changed: change.updated, removed: [], progress: [] });
    if (change.updated.length === 0) {
      this.hooks.notify('No tags changed.');
      return;
    }
    this.hooks.notify(`${what}.`, async () => {
      this.rows.applyLive({ changed: await restoreTags(this.lab, change.before), removed: [], progress: [] });
    });
  };

  notesSaved = (run: RunSummary, before: string): void => {
    this.rows.applyLive({ changed: [run], removed: [], progress: [] });
    this.hooks.notify(`Saved the notes of run ${run.id}.`, async () => {
      await this.lab['runs.update']({ id: run.id, notes: before });
      this.notesVersion++;
    });
  };

  exportJson = async (ids: readonly number[]): Promise<void> => {
    if (ids.length === 0 || this.busy) return;
    this.busy = true;
    try {
      const { text, count } = await exportJson(this.lab, ids);
      downloadText(exportFileName(count, 'json'), text, 'application/json');
      this.hooks.notify(`Exported ${plural(count, 'run')} as JSON (record, metrics, events, snapshots).`);
    } catch (e) {
      this.hooks.report(`The export failed: ${errorMessage(e)}`);
    } finally {
      this.busy = false;
    }
  };
}
