/** Rows that the L1/L2 regulariser leaves alone (spec §5): the timer's and the driving input's. */
export const UNREGULARISED_ROWS: ReadonlySet<string> = new Set(['timer', 'input']);
