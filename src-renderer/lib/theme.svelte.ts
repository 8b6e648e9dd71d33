/**
 * The system's light/dark setting as reactive state: a `$derived` that calls `themedInk()`
 * is computed again when the system switches, so charts and canvases built from token
 * colours follow the theme without a reload.
 */
import { ink, onThemeChange, type Ink } from './tokens';

class ThemeState {
  /** Bumped on every light/dark switch. */
  version = $state(0);
  constructor() {
    onThemeChange(() => this.version++);
  }
}

export const theme = new ThemeState();

/** The current ink, as a dependency on the theme (re-read after a switch). */
export function themedInk(): Ink {
  void theme.version;
  return ink();
}
