/** Fans API events out to every connected front end. */
import type { ApiEvent } from '../../src-shared/api/contract';

export class EventHub {
  private readonly listeners = new Set<(e: ApiEvent) => void>();

  emit = (e: ApiEvent): void => {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // one broken front end must not stop the others
      }
    }
  };

  subscribe(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
