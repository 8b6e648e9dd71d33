/** Cytoscape stylesheets of the diff views (side-by-side panes and the overlay). */
import type { StylesheetJson } from 'cytoscape';
import { neuronNodeStyle, SOFT_LINK_STYLE } from '../components/circuit';
import type { Ink } from '../lib/tokens';
import { STATUS_STYLE } from './elements';

const node = (ink: Ink): StylesheetJson => [
  neuronNodeStyle(ink),
  { selector: 'node.unmatched', style: { 'border-width': 2, 'border-style': 'dashed', 'border-color': ink.text } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-style': 'solid', 'border-color': ink.highlight } },
  {
    selector: 'node.counterpart',
    style: {
      'border-width': 3,
      'border-style': 'solid',
      'border-color': ink.highlight,
      'overlay-color': ink.highlight,
      'overlay-opacity': 0.25,
      'overlay-padding': 4,
    },
  },
  { selector: 'node.drop-target', style: { 'overlay-color': ink.success, 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
];

const selected = (ink: Ink): StylesheetJson => [
  { selector: 'edge:selected', style: { 'overlay-color': ink.highlight, 'overlay-opacity': 0.35, 'overlay-padding': 3 } },
  { selector: 'edge.counterpart', style: { 'overlay-color': ink.highlight, 'overlay-opacity': 0.35, 'overlay-padding': 3 } },
];

/** A side-by-side pane: links by sign and |w|; links only on this side dashed; A's unmatched neurons as ghosts in pane B. */
export const paneStyle = (ink: Ink): StylesheetJson => [
  ...node(ink),
  SOFT_LINK_STYLE,
  { selector: 'edge.soft.only-a, edge.soft.only-b', style: { 'line-style': 'dashed' } },
  { selector: 'edge.soft.dense', style: { 'curve-style': 'straight', opacity: 0.6 } },
  {
    selector: 'edge.hard',
    style: {
      width: 1,
      'line-style': 'dashed',
      'line-color': ink.faint,
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
      color: ink.muted,
      'font-style': 'italic',
    },
  },
  ...selected(ink),
];

/** The overlay: one colour and line style per link status, Δw labels, faded elements outside the spotlight. */
export const overlayStyle = (ink: Ink): StylesheetJson => [
  ...node(ink),
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
      color: ink.warning,
      'text-background-color': ink.surface,
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
  ...selected(ink),
];
