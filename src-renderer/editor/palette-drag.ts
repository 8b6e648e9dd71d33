/**
 * Dragging a neuron type from the palette onto the canvas: the type travels in the drag
 * data under this media type (the canvas adds the neuron where it is dropped).
 */
export const PALETTE_MIME = 'application/x-dmm-neuron-type';
