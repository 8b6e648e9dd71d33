/** A problem's frame (see frame.ts): its teacher's fixed neurons, its search sources and its compared outputs. */
import { frameFromTeacher, type ArchitectureFrame } from './frame';
import { teacherSpec, type Problem } from './problem';

const frames = new WeakMap<Problem, ArchitectureFrame>();

export function frameOf(p: Problem): ArchitectureFrame {
  let f = frames.get(p);
  if (!f) {
    const sinks = [...new Map(p.outputs.map((o) => [`${o.neuron}\u0000${o.port}`, [o.neuron, o.port] as const])).values()];
    f = frameFromTeacher(teacherSpec(p), p.search.sources, sinks);
    frames.set(p, f);
  }
  return f;
}
