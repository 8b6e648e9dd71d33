/** The frame of the duplicate detector's machines: the hand-crafted detector's driving neurons, initial layer and outputs. */
import { frameFromTeacher, type ArchitectureFrame } from '../frame';
import { INITIAL_OUTPUTS, OUTPUT_NEURON, OUTPUT_PORTS } from './base';
import { handcraftedDetector } from './handcrafted';

let frame: ArchitectureFrame | undefined;

export function duplicatesFrame(): ArchitectureFrame {
  frame ??= frameFromTeacher(
    handcraftedDetector(),
    INITIAL_OUTPUTS,
    OUTPUT_PORTS.map((p) => [OUTPUT_NEURON, p] as const),
  );
  return frame;
}
