/**
 * The run browser's toast: one message at a time, with an undo for the action it reports
 * (shown longer: 12 s instead of 5 s). Undo runs the action's inverse once; a failure is
 * reported through `onError`.
 */

export interface ToastMessage {
  readonly message: string;
  readonly undo?: () => Promise<void>;
}

export class Toasts {
  current = $state.raw<ToastMessage | undefined>(undefined);
  undoBusy = $state(false);
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onError: (message: string) => void) {}

  notify = (message: string, undo?: () => Promise<void>): void => {
    this.current = undo ? { message, undo } : { message };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.current = undefined), undo ? 12_000 : 5000);
  };

  get canUndo(): boolean {
    return this.current?.undo !== undefined;
  }

  /** Undoes the action the toast reports, once. */
  undo = async (): Promise<void> => {
    const t = this.current;
    if (t?.undo === undefined || this.undoBusy) return;
    this.undoBusy = true;
    try {
      await t.undo();
      this.notify('Undone.');
    } catch (e) {
      this.onError(`Undo failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.undoBusy = false;
    }
  };

  dismiss = (): void => {
    clearTimeout(this.timer);
    this.current = undefined;
  };

  dispose(): void {
    clearTimeout(this.timer);
  }
}
