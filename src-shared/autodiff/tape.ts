/**
 * Reverse-mode differentiation over V-values: a tape of operations whose gradients are
 * V-values of the same shape as the values they belong to.
 *
 * Values that do not depend on a variable are not recorded, so constant parts of a
 * computation cost nothing on the way back. `grad(f)(W)` is the convenient entry point.
 */
import type { GradientMode, NeuronContext, NeuronEnv, NeuronType } from '../machine/neuron-types';
import { PathLayout, ROOT } from '../vvalue/path-layout';
import {
  NUMBER_KEY,
  child as vchild,
  dot as vdot,
  fromLeaves,
  get as vget,
  leaves,
  linearCombination,
  mask as vmask,
  maxNorm as vmaxNorm,
  pathKey,
  wrap as vwrap,
  type Path,
  type VValue,
} from '../vvalue/vvalue';

type GradEntries = Map<string, [Path, number]>;

/** A V-valued node of the tape. */
export class VVar {
  /** Gradient so far, by path. */
  grad: GradEntries | undefined;
  constructor(
    readonly value: VValue,
    readonly needsGrad: boolean,
  ) {}

  /** The accumulated gradient as a V-value (zero when nothing reached this node). */
  gradient(): VValue {
    return this.grad ? fromLeaves(this.grad.values()) : {};
  }
}

/** A scalar node of the tape. */
export class SVar {
  grad = 0;
  constructor(
    readonly value: number,
    readonly needsGrad: boolean,
  ) {}
}

function canonicalPath(path: Path): Path {
  return path.length > 0 && path[path.length - 1] === NUMBER_KEY ? path.slice(0, -1) : path;
}

function addGrad(v: VVar, path: Path, g: number): void {
  if (!v.needsGrad || g === 0) return;
  const key = pathKey(path);
  const map = (v.grad ??= new Map());
  const prev = map.get(key);
  if (prev) prev[1] += g;
  else map.set(key, [path, g]);
}

export class Tape {
  private readonly backs: (() => void)[] = [];

  /** With recording off, operations only compute values (no gradient is possible). */
  constructor(readonly recording = true) {}

  get length(): number {
    return this.backs.length;
  }

  private record(needsGrad: boolean, back: () => void): void {
    if (needsGrad && this.recording) this.backs.push(back);
  }

  /** A value to differentiate with respect to. */
  variable(v: VValue): VVar {
    return new VVar(v, true);
  }

  constant(v: VValue): VVar {
    return new VVar(v, false);
  }

  scalarConstant(x: number): SVar {
    return new SVar(x, false);
  }

  scalarVariable(x: number): SVar {
    return new SVar(x, true);
  }

  /** The scalar at `path`. */
  get(x: VVar, path: Path): SVar {
    const p = canonicalPath(path);
    const out = new SVar(vget(x.value, p), x.needsGrad);
    this.record(out.needsGrad, () => addGrad(x, p, out.grad));
    return out;
  }

  /** The sub-tree under `key`. */
  child(x: VVar, key: string): VVar {
    const out = new VVar(vchild(x.value, key), x.needsGrad);
    this.record(out.needsGrad, () => {
      for (const [path, g] of out.grad?.values() ?? []) addGrad(x, [key, ...path], g);
    });
    return out;
  }

  /** `{key: x}`. */
  wrap(key: string, x: VVar): VVar {
    const out = new VVar(vwrap(key, x.value), x.needsGrad);
    this.record(out.needsGrad, () => {
      for (const [path, g] of out.grad?.values() ?? []) if (path[0] === key) addGrad(x, path.slice(1), g);
    });
    return out;
  }

  /** Σ sᵢ·xᵢ with scalar nodes sᵢ (the down movement's building block). */
  linearCombination(terms: ReadonlyArray<readonly [SVar, VVar]>): VVar {
    const value = linearCombination(terms.map(([s, x]) => [s.value, x.value] as const));
    const needsGrad = terms.some(([s, x]) => s.needsGrad || x.needsGrad);
    const out = new VVar(value, needsGrad);
    this.record(needsGrad, () => {
      const g = out.grad;
      if (!g) return;
      for (const [s, x] of terms) {
        if (s.needsGrad) {
          let d = 0;
          for (const [path, gp] of g.values()) d += gp * vget(x.value, path);
          s.grad += d;
        }
        if (x.needsGrad && s.value !== 0) for (const [path, gp] of g.values()) addGrad(x, path, s.value * gp);
      }
    });
    return out;
  }

  add(a: VVar, b: VVar): VVar {
    const one = this.scalarConstant(1);
    return this.linearCombination([
      [one, a],
      [one, b],
    ]);
  }

  scaleBy(x: VVar, s: SVar): VVar {
    return this.linearCombination([[s, x]]);
  }

  dot(a: VVar, b: VVar): SVar {
    const out = new SVar(vdot(a.value, b.value), a.needsGrad || b.needsGrad);
    this.record(out.needsGrad, () => {
      for (const [p, x] of leaves(a.value)) addGrad(b, p, out.grad * x);
      for (const [p, y] of leaves(b.value)) addGrad(a, p, out.grad * y);
    });
    return out;
  }

  /** max_k |x[k]|; a tie shares the gradient equally. */
  maxNorm(x: VVar): SVar {
    const m = vmaxNorm(x.value);
    const out = new SVar(m, x.needsGrad);
    this.record(out.needsGrad, () => {
      if (m === 0) return;
      const top = Array.from(leaves(x.value)).filter(([, v]) => Math.abs(v) === m);
      for (const [p, v] of top) addGrad(x, p, (Math.sign(v) * out.grad) / top.length);
    });
    return out;
  }

  /** Pointwise product. */
  mask(a: VVar, b: VVar): VVar {
    const out = new VVar(vmask(a.value, b.value), a.needsGrad || b.needsGrad);
    this.record(out.needsGrad, () => {
      for (const [p, g] of out.grad?.values() ?? []) {
        addGrad(a, p, g * vget(b.value, p));
        addGrad(b, p, g * vget(a.value, p));
      }
    });
    return out;
  }

  // ---- scalars ----

  sum(xs: readonly SVar[]): SVar {
    const out = new SVar(
      xs.reduce((s, x) => s + x.value, 0),
      xs.some((x) => x.needsGrad),
    );
    this.record(out.needsGrad, () => {
      for (const x of xs) x.grad += out.grad;
    });
    return out;
  }

  sub(a: SVar, b: SVar): SVar {
    const out = new SVar(a.value - b.value, a.needsGrad || b.needsGrad);
    this.record(out.needsGrad, () => {
      a.grad += out.grad;
      b.grad -= out.grad;
    });
    return out;
  }

  mul(a: SVar, b: SVar): SVar {
    const out = new SVar(a.value * b.value, a.needsGrad || b.needsGrad);
    this.record(out.needsGrad, () => {
      a.grad += out.grad * b.value;
      b.grad += out.grad * a.value;
    });
    return out;
  }

  square(a: SVar): SVar {
    const out = new SVar(a.value * a.value, a.needsGrad);
    this.record(out.needsGrad, () => {
      a.grad += 2 * a.value * out.grad;
    });
    return out;
  }

  abs(a: SVar): SVar {
    const out = new SVar(Math.abs(a.value), a.needsGrad);
    this.record(out.needsGrad, () => {
      a.grad += Math.sign(a.value) * out.grad;
    });
    return out;
  }

  /** One neuron's up movement, through the registry's kernel on a layout made for this call. */
  neuron(type: NeuronType, ctx: NeuronContext, inputs: readonly VVar[], env: NeuronEnv, mode: GradientMode): VVar[] {
    const inPaths = inputs.map((v) => Array.from(leaves(v.value), ([p]) => p));
    const outPaths = type.outputPaths(inPaths, ctx);
    const layout = new PathLayout([ROOT, ...inPaths.flat(), ...outPaths.flat()]);
    const D = layout.size;
    const x = new Float64Array(type.inputs.length * D);
    inputs.forEach((v, p) => layout.write(v.value, x, p * D));
    const y = new Float64Array(type.outputs.length * D);
    const kernel = type.kernel(layout, ctx);
    kernel.forward(x, 0, y, 0, env);
    const needsGrad = inputs.some((v) => v.needsGrad);
    const outs = outPaths.map(
      (paths, q) =>
        new VVar(
          layout.read(
            y,
            q * D,
            paths.map((p) => layout.indexOf(p)),
          ),
          needsGrad,
        ),
    );
    this.record(needsGrad, () => {
      const gy = new Float64Array(y.length);
      let any = false;
      outs.forEach((o, q) => {
        for (const [path, g] of o.grad?.values() ?? []) {
          const k = layout.indexOf(path);
          if (k >= 0) {
            gy[q * D + k] = (gy[q * D + k] as number) + g;
            any = true;
          }
        }
      });
      if (!any) return;
      const gx = new Float64Array(x.length);
      kernel.backward(x, 0, y, 0, gy, 0, gx, 0, mode);
      inputs.forEach((v, p) => {
        for (let k = 0; k < D; k++) addGrad(v, layout.path(k), gx[p * D + k] as number);
      });
    });
    return outs;
  }

  /** Propagates d(out)/d(everything) back through the tape. */
  backward(out: SVar): void {
    if (!this.recording) throw new Error('this tape did not record; create it with recording = true');
    out.grad += 1;
    for (let i = this.backs.length - 1; i >= 0; i--) (this.backs[i] as () => void)();
  }
}

/**
 * `grad(f)(W)`: the value of `f` at W and its gradient, a V-value with exactly the
 * coordinates of W.
 */
export function grad(f: (tape: Tape, w: VVar) => SVar): (w: VValue) => { value: number; grad: VValue } {
  return (w) => {
    const tape = new Tape(true);
    const wv = tape.variable(w);
    const out = f(tape, wv);
    tape.backward(out);
    const g = wv.grad;
    return {
      value: out.value,
      grad: fromLeaves(Array.from(leaves(w), ([p]) => [p, g?.get(pathKey(p))?.[1] ?? 0] as const)),
    };
  };
}
