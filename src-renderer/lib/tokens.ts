/**
 * The design tokens from script: the circuit palette (src-shared/render/palette.ts) written
 * onto :root as CSS custom properties, so stylesheets and canvases share its values; the
 * computed value of a token for code that cannot use var() (Cytoscape styles, uPlot series,
 * canvas drawing); and a subscription to the system's light/dark switch, after which those
 * callers read the tokens again.
 */
import { LINK_SIGN_COLORS, PAPER, paletteCss } from '@shared/render/palette';

const PALETTE_STYLE_ID = 'dmm-palette-tokens';

/** Adds the palette's custom properties to the document (once). */
export function installPalette(doc: Document = document): void {
  if (doc.getElementById(PALETTE_STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = PALETTE_STYLE_ID;
  style.textContent = paletteCss();
  doc.head.appendChild(style);
}

/** A token's current value (`token('--text')`, e.g. the text colour); `fallback` when it is not defined. */
export function token(name: `--${string}`, fallback = ''): string {
  if (typeof document === 'undefined') return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

/** Calls `f` whenever the system switches between light and dark; returns the unsubscribe. */
export function onThemeChange(f: () => void): () => void {
  if (typeof window === 'undefined' || !window.matchMedia) return () => undefined;
  const q = window.matchMedia('(prefers-color-scheme: dark)');
  q.addEventListener('change', f);
  return () => q.removeEventListener('change', f);
}

/** The token colours a canvas (Cytoscape, uPlot, 2D canvas) draws with, read at style time. */
export interface Ink {
  readonly text: string;
  readonly textSecondary: string;
  readonly muted: string;
  readonly faint: string;
  /** The background labels sit on (a halo behind text on a canvas). */
  readonly surface: string;
  readonly sunken: string;
  readonly border: string;
  /** Selection and counterpart highlight. */
  readonly highlight: string;
  readonly success: string;
  readonly warning: string;
  readonly accent: string;
  readonly danger: string;
}

/** The current theme's ink (named-colour fallbacks where no stylesheet is loaded, e.g. in unit tests). */
export function ink(): Ink {
  return {
    text: token('--text', 'black'),
    textSecondary: token('--text-secondary', 'dimgray'),
    muted: token('--text-muted', 'gray'),
    faint: token('--text-faint', 'darkgray'),
    surface: token('--surface', 'white'),
    sunken: token('--surface-sunken', 'whitesmoke'),
    border: token('--border', 'lightgray'),
    highlight: token('--highlight', 'orange'),
    success: token('--success-solid', 'green'),
    warning: token('--warning', 'darkgoldenrod'),
    accent: token('--accent', 'royalblue'),
    danger: token('--danger', 'firebrick'),
  };
}

/** Ink for a picture on white paper (a PNG export), whatever the screen's theme. */
export function paperInk(): Ink {
  return {
    text: PAPER.text,
    textSecondary: PAPER.muted,
    muted: PAPER.muted,
    faint: LINK_SIGN_COLORS.zero,
    surface: PAPER.background,
    sunken: PAPER.grid,
    border: PAPER.rule,
    highlight: ink().highlight,
    success: ink().success,
    warning: ink().warning,
    accent: LINK_SIGN_COLORS.positive,
    danger: LINK_SIGN_COLORS.negative,
  };
}
