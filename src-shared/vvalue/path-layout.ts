/**
 * Interned paths: a fixed numbering of the coordinates a set of V-values can use, so that
 * each V-value becomes a dense Float64Array slice and each path a small integer.
 */
import { fromLeaves, leaves, pathKey, type Path, type VValue } from './vvalue';

export const ROOT: Path = Object.freeze([]);

export class PathLayout {
  private readonly keys = new Map<string, number>();
  private readonly list: Path[] = [];

  constructor(paths: Iterable<Path> = []) {
    for (const p of paths) this.intern(p);
  }

  get size(): number {
    return this.list.length;
  }

  /** Index of `path`, adding it when new. */
  intern(path: Path): number {
    const key = pathKey(path);
    let i = this.keys.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.keys.set(key, i);
      this.list.push(Object.freeze(path.slice()));
    }
    return i;
  }

  /** Index of `path`, or -1 when the layout does not have it. */
  indexOf(path: Path): number {
    return this.keys.get(pathKey(path)) ?? -1;
  }

  path(i: number): Path {
    const p = this.list[i];
    if (p === undefined) throw new RangeError(`path index ${i} out of range`);
    return p;
  }

  paths(): readonly Path[] {
    return this.list;
  }

  /** Writes `v` into `buf[offset .. offset+size)`; coordinates outside the layout throw. */
  write(v: VValue, buf: Float64Array, offset: number): void {
    for (const [path, x] of leaves(v)) {
      const i = this.indexOf(path);
      if (i < 0) throw new RangeError(`path ${JSON.stringify(path)} is not in the layout`);
      buf[offset + i] = (buf[offset + i] as number) + x;
    }
  }

  /** Reads the coordinates `indices` (default: all) of a dense slice back into a V-value. */
  read(buf: Float64Array, offset: number, indices?: Iterable<number>): VValue {
    const entries: [Path, number][] = [];
    if (indices) {
      for (const i of indices) entries.push([this.path(i), buf[offset + i] as number]);
    } else {
      for (let i = 0; i < this.list.length; i++) {
        const x = buf[offset + i] as number;
        if (x !== 0) entries.push([this.list[i] as Path, x]);
      }
    }
    return fromLeaves(entries);
  }
}
