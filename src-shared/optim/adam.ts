/**
 * Adam, leaf by leaf on the trainable matrix (spec §5): the state is aligned with the
 * machine's parameter order, so each weight of the tree has its own moments.
 * ε is added after the square root; bias correction is the standard one.
 */

export interface AdamSettings {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

export const DEFAULT_ADAM: AdamSettings = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** Serialisable optimiser state. */
export interface AdamState {
  readonly m: number[];
  readonly v: number[];
  /** Updates applied so far. */
  readonly t: number;
}

export function checkAdamSettings(s: AdamSettings): void {
  if (!Number.isFinite(s.lr) || s.lr <= 0) throw new RangeError(`lr must be a finite number > 0, got ${s.lr}`);
  for (const key of ['beta1', 'beta2'] as const) {
    if (!(s[key] >= 0 && s[key] < 1)) throw new RangeError(`${key} must be in [0, 1), got ${s[key]}`);
  }
  if (!Number.isFinite(s.eps) || s.eps <= 0) throw new RangeError(`eps must be a finite number > 0, got ${s.eps}`);
}

export class Adam {
  settings: AdamSettings;
  private m: Float64Array;
  private v: Float64Array;
  private t: number;

  constructor(size: number, settings: AdamSettings = DEFAULT_ADAM, state?: AdamState) {
    checkAdamSettings(settings);
    this.settings = settings;
    if (state) {
      if (state.m.length !== size || state.v.length !== size) {
        throw new RangeError(`optimiser state has ${state.m.length} entries, the machine ${size}`);
      }
      this.m = Float64Array.from(state.m);
      this.v = Float64Array.from(state.v);
      this.t = state.t;
    } else {
      this.m = new Float64Array(size);
      this.v = new Float64Array(size);
      this.t = 0;
    }
  }

  get size(): number {
    return this.m.length;
  }

  get steps(): number {
    return this.t;
  }

  /** One update of `w` in place along gradient `g`. */
  update(w: Float64Array, g: Float64Array): void {
    const n = this.m.length;
    if (w.length !== n || g.length !== n) throw new RangeError(`Adam has ${n} entries, got w ${w.length}, g ${g.length}`);
    const { lr, beta1, beta2, eps } = this.settings;
    this.t += 1;
    const c1 = 1 - Math.pow(beta1, this.t);
    const c2 = 1 - Math.pow(beta2, this.t);
    const m = this.m;
    const v = this.v;
    for (let i = 0; i < n; i++) {
      const gi = g[i] as number;
      const mi = beta1 * (m[i] as number) + (1 - beta1) * gi;
      const vi = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = (w[i] as number) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }

  /** The state restricted to the entries `keep` (in that order), e.g. the weights that survive a cut. */
  trimmed(keep: readonly number[]): Adam {
    return new Adam(keep.length, this.settings, {
      m: keep.map((i) => this.m[i] as number),
      v: keep.map((i) => this.v[i] as number),
      t: this.t,
    });
  }

  /** Puts back a state taken from this optimiser (same size): moments and step count, in place. */
  restore(state: AdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new RangeError(`Adam has ${this.m.length} entries, the state to restore ${state.m.length}`);
    }
    this.m.set(state.m);
    this.v.set(state.v);
    this.t = state.t;
  }

  state(): AdamState {
    return { m: Array.from(this.m), v: Array.from(this.v), t: this.t };
  }
}
