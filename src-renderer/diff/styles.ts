/** Cytoscape stylesheets of the diff views (side-by-side panes and the overlay). */
import type { StylesheetJson } from 'cytoscape';
import { NEURON_NODE_STYLE, SOFT_LINK_STYLE } from '../components/circuit';
import { STATUS_STYLE } from './elements';

const node: StylesheetJson = [
  NEURON_NODE_STYLE,
  { selector: 'node.unmatched', style: { 'border-width': 2, 'border-style': 'dashed', 'border-color': '#111827' } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-style': 'solid', 'border-color': '#f59e0b' } },
  {
    selector: 'node.counterpart',
    style: {
      'border-width': 3,
      'border-style': 'solid',
      'border-color': '#f59e0b',
      'overlay-color': '#f59e0b',
      'overlay-opacity': 0.25,
      'overlay-padding': 4,
    },
  },
  { selector: 'node.drop-target', style: { 'overlay-color': '#16a34a', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
];

const selected: StylesheetJson = [
  { selector: 'edge:selected', style: { 'overlay-color': '#f59e0b', 'overlay-opacity': 0.35, 'overlay-padding': 3 } },
  { selector: 'edge.counterpart', style: { 'overlay-color': '#f59e0b', 'overlay-opacity': 0.35, 'overlay-padding': 3 } },
];

/** A side-by-side pane: links by sign and |w|; links only on this side dashed; A's unmatched neurons as ghosts in pane B. */
export const PANE_STYLE: StylesheetJson = [
  ...node,
  SOFT_LINK_STYLE,
  { selector: 'edge.soft.only-a, edge.soft.only-b', style: { 'line-style': 'dashed' } },
  { selector: 'edge.soft.dense', style: { 'curve-style': 'straight', opacity: 0.6 } },
  {
    selector: 'edge.hard',
    style: {
      width: 1,
      'line-style': 'dashed',
      'line-color': '#9ca3af',
      'curve-style': 'bezier',
      'target-arrow-shape': 'none',
      'loop-direction': '-45deg',
      'loop-sweep': '-60deg',
    },
  },
  {
    selector: 'node.ghost',
    style: {
      'background-opacity': 0.12,
      'border-width': 1.5,
      'border-style': 'dotted',
      'border-color': 'data(color)',
      color: '#6b7280',
      'font-style': 'italic',
    },
  },
  ...selected,
];

/** The overlay: one colour and line style per link status, Δw labels, faded elements outside the spotlight. */
export const OVERLAY_STYLE: StylesheetJson = [
  ...node,
  { selector: 'node.only-a', style: { shape: 'round-rectangle' } },
  { selector: 'node.only-b', style: { shape: 'diamond' } },
  {
    selector: 'edge',
    style: {
      width: 2,
      'line-color': 'data(color)',
      'target-arrow-color': 'data(color)',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.7,
      'curve-style': 'bezier',
      label: 'data(dwLabel)',
      'font-size': 8,
      color: '#92400e',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.8,
      'text-rotation': 'autorotate',
    },
  },
  ...(Object.entries(STATUS_STYLE)
    .filter(([, s]) => s.dashed)
    .map(([status]) => ({ selector: `edge.${status}`, style: { 'line-style': 'dashed' } })) as StylesheetJson),
  { selector: 'edge.weight-changed, edge.sign-flipped', style: { width: 3 } },
  { selector: 'edge.dense', style: { 'curve-style': 'straight' } },
  {
    selector: 'edge.hard',
    style: { width: 1, 'curve-style': 'bezier', 'loop-direction': '-45deg', 'loop-sweep': '-60deg', 'target-arrow-shape': 'none' },
  },
  { selector: '.faded', style: { opacity: 0.08, 'text-opacity': 0.1 } },
  ...selected,
];
