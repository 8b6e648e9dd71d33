/**
 * What the run browser shows, as state: the view settings (columns, sort, status, tag and
 * problem filters, the parsed filter box), the trash switch, and the saved views. The filter box
 * applies itself 450 ms after typing stops, and only when it parses (otherwise its errors
 * are shown and the table keeps the last valid filter). The query the table loads derives
 * from these settings.
 */
import type { ApiClient } from '@shared/api/contract';
import type { RunStatus, SavedView } from '@shared/api/records';
import { errorMessage } from '../../lib/api';
import type { ColumnDef, ColumnId } from './columns';
import { parseFilter, sameFilter, type FilterError } from './filter';
import {
  DEFAULT_SETTINGS,
  filterTextOf,
  fromSavedView,
  nextSort,
  queryOf,
  sameSettings,
  toSavedView,
  type BrowserMemory,
  type BrowserSettings,
} from './view-state';

export type ViewsClient = Pick<ApiClient, 'views.list' | 'views.save' | 'views.delete' | 'problems.list'>;

export class BrowserView {
  settings = $state.raw<BrowserSettings>(DEFAULT_SETTINGS);
  filterText = $state('');
  filterErrors = $state.raw<readonly FilterError[]>([]);
  trash = $state(false);
  viewName = $state<string | undefined>(undefined);
  views = $state.raw<readonly SavedView[]>([]);
  viewsBusy = $state(false);
  /** The problems the lab knows, for the problem filter. */
  knownProblems = $state.raw<readonly string[]>([]);

  readonly query = $derived(queryOf(this.settings, this.trash));
  readonly queryKey = $derived(JSON.stringify(this.query));
  private readonly typed = $derived(parseFilter(this.filterText));
  readonly filterPending = $derived(!this.typed.ok || !sameFilter(this.typed.filter, this.settings.filter));
  readonly chosenView = $derived(this.views.find((v) => v.name === this.viewName));
  readonly viewModified = $derived(
    this.chosenView !== undefined && !sameSettings(fromSavedView(this.chosenView.view).settings, this.settings),
  );
  readonly filtered = $derived(
    this.settings.status.length > 0 ||
      this.settings.tag !== undefined ||
      this.settings.problem !== undefined ||
      this.settings.filter.conditions.length > 0 ||
      this.settings.filter.text !== '',
  );

  /** The problem filter's choices: the lab's problems, and the one chosen even if it is gone. */
  readonly problemOptions = $derived(
    this.settings.problem !== undefined && !this.knownProblems.includes(this.settings.problem)
      ? [...this.knownProblems, this.settings.problem]
      : this.knownProblems,
  );

  private filterTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    memory: BrowserMemory,
    private readonly lab: ViewsClient,
    private readonly notify: (message: string, undo?: () => Promise<void>) => void,
    private readonly report: (message: string) => void,
  ) {
    this.settings = memory.settings;
    this.filterText = memory.filterText;
    this.trash = memory.trash;
    this.viewName = memory.viewName;
  }

  loadViews = async (): Promise<void> => {
    try {
      this.views = await this.lab['views.list']({});
    } catch (e) {
      this.report(`The saved views could not be read: ${errorMessage(e)}`);
    }
  };

  loadProblems = async (): Promise<void> => {
    try {
      this.knownProblems = (await this.lab['problems.list']({})).map((p) => p.id);
    } catch (e) {
      this.report(`The problems could not be read: ${errorMessage(e)}`);
    }
  };

  onFilterInput = (text: string): void => {
    this.filterText = text;
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(this.applyFilter, 450);
  };

  /** Applies the filter box if it is valid; otherwise shows why (and the table keeps the last valid filter). */
  applyFilter = (): void => {
    clearTimeout(this.filterTimer);
    const r = parseFilter(this.filterText);
    if (!r.ok) {
      this.filterErrors = r.errors;
      return;
    }
    this.filterErrors = [];
    if (!sameFilter(r.filter, this.settings.filter)) this.settings = { ...this.settings, filter: r.filter };
  };

  clearFilters = (): void => {
    clearTimeout(this.filterTimer);
    this.filterText = '';
    this.filterErrors = [];
    this.settings = { ...this.settings, status: [], tag: undefined, problem: undefined, filter: DEFAULT_SETTINGS.filter };
  };

  onSort = (def: ColumnDef): void => {
    if (def.sort === undefined) return;
    this.settings = { ...this.settings, sort: nextSort(this.settings.sort, def.sort, def.firstDir ?? 'asc') };
  };

  chooseView = (v: SavedView | undefined): void => {
    clearTimeout(this.filterTimer);
    this.filterErrors = [];
    if (v === undefined) {
      this.viewName = undefined;
      this.settings = DEFAULT_SETTINGS;
      this.filterText = '';
      return;
    }
    const { settings, warnings } = fromSavedView(v.view);
    this.settings = settings;
    this.filterText = filterTextOf(settings);
    this.viewName = v.name;
    if (warnings.length > 0) this.report(`View “${v.name}”: ${warnings.join('; ')}`);
  };

  saveView = async (name: string): Promise<void> => {
    this.applyFilter();
    this.viewsBusy = true;
    try {
      const saved = await this.lab['views.save']({ name, view: toSavedView(this.settings) });
      this.viewName = saved.name;
      await this.loadViews();
      this.notify(`Saved the view “${saved.name}”${this.filterErrors.length > 0 ? ' (with the last valid filter)' : ''}.`);
    } catch (e) {
      this.report(`The view was not saved: ${errorMessage(e)}`);
    } finally {
      this.viewsBusy = false;
    }
  };

  deleteView = async (v: SavedView): Promise<void> => {
    this.viewsBusy = true;
    try {
      await this.lab['views.delete']({ id: v.id });
      if (this.viewName === v.name) this.viewName = undefined;
      await this.loadViews();
      const restored = toSavedView(fromSavedView(v.view).settings);
      this.notify(`Deleted the view “${v.name}”.`, async () => {
        await this.lab['views.save']({ name: v.name, view: restored });
        await this.loadViews();
      });
    } catch (e) {
      this.report(`The view was not deleted: ${errorMessage(e)}`);
    } finally {
      this.viewsBusy = false;
    }
  };

  setColumns = (columns: ColumnId[]): void => {
    this.settings = { ...this.settings, columns };
  };

  setStatus = (status: RunStatus[]): void => {
    this.settings = { ...this.settings, status };
  };

  setTag = (tag: string | undefined): void => {
    this.settings = { ...this.settings, tag };
  };

  setProblem = (problem: string | undefined): void => {
    this.settings = { ...this.settings, problem };
  };

  dispose(): void {
    clearTimeout(this.filterTimer);
  }
}
