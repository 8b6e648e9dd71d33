/**
 * The colours a circuit is drawn in, one definition for every picture of it: the app's
 * circuit views and editor canvas (through the renderer's CSS custom properties, which are
 * written from these values), the SVG/PNG exports and the HTML diff report. Each neuron
 * type has its own hue; a link's colour is the sign of its weight. The hues are mid-tones,
 * readable as fills and strokes on the light and the dark theme alike, so the same values
 * serve both (and printed exports).
 */

/** Node colour of each neuron type of the registry (keys are registry type names). */
export const NEURON_TYPE_COLORS: Readonly<Record<string, string>> = {
  input: '#16a34a',
  eos: '#0d9488',
  const_1: '#64748b',
  timer: '#65a30d',
  output: '#7c3aed',
  accum: '#ea580c',
  norm: '#0891b2',
  compare: '#db2777',
  dot: '#ca8a04',
  identity: '#4f46e5',
  mult: '#a16207',
  push: '#c026d3',
  const: '#475569',
  /** The 2022 prototype's self-referential neuron (its matrices name it `Self`). */
  Self: '#78716c',
};

/** Colour of a neuron whose type is unknown (not in the registry). */
export const UNKNOWN_NEURON_COLOR = '#6b7280';

/** Link colours by the sign of the weight. */
export const LINK_SIGN_COLORS = {
  positive: '#2563eb',
  negative: '#dc2626',
  zero: '#9ca3af',
} as const;

/** Distinct series colours (charts, behaviour plots), in the order series take them. */
export const SERIES_COLORS: readonly string[] = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#be185d',
  '#4b5563',
  '#65a30d',
  '#b45309',
];

/** The colours of a printed or exported document (white paper): text, secondary text, rules, grid. */
export const PAPER = {
  background: '#ffffff',
  text: '#1a202c',
  muted: '#4a5568',
  rule: '#cbd5e0',
  grid: '#edf2f7',
  axis: '#a0aec0',
  cellBorder: '#e2e8f0',
  nodeFill: '#f5f7fa',
  /** Fills of a diff's neurons: only in A, only in B, without a partner. */
  onlyAFill: '#dbeafe',
  onlyBFill: '#dcfce7',
  unpairedFill: '#fff7ed',
} as const;

export function neuronTypeColor(type: string): string {
  return NEURON_TYPE_COLORS[type] ?? UNKNOWN_NEURON_COLOR;
}

export function linkSignColor(weight: number): string {
  return weight > 0 ? LINK_SIGN_COLORS.positive : weight < 0 ? LINK_SIGN_COLORS.negative : LINK_SIGN_COLORS.zero;
}

/** CSS custom-property name of a neuron type's colour (`--neuron-accum`). */
export const neuronTypeVar = (type: string): string => `--neuron-${type.replace(/[^a-zA-Z0-9_-]/g, '_')}`;

/** The palette as CSS custom properties on `:root` (neuron types, link signs, series). */
export function paletteCss(): string {
  const decl: string[] = [];
  for (const [type, c] of Object.entries(NEURON_TYPE_COLORS)) decl.push(`${neuronTypeVar(type)}:${c}`);
  decl.push(`--neuron-unknown:${UNKNOWN_NEURON_COLOR}`);
  for (const [sign, c] of Object.entries(LINK_SIGN_COLORS)) decl.push(`--link-${sign}:${c}`);
  SERIES_COLORS.forEach((c, i) => decl.push(`--series-${i + 1}:${c}`));
  return `:root{${decl.join(';')}}`;
}

/** The two circuits of a diff: A and B in every view, plot and report. */
export const DIFF_SIDE_COLORS = { a: '#2563eb', b: '#16a34a' } as const;

/** A diff's link statuses (the overlay, the link table, the report's table). */
export const LINK_STATUS_COLORS = {
  matched: '#6b7280',
  'weight-changed': '#d97706',
  'sign-flipped': '#7c3aed',
  'only-a': DIFF_SIDE_COLORS.a,
  'only-b': DIFF_SIDE_COLORS.b,
} as const;
