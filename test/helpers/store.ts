/** Store files for tests: a temp folder whose stores are closed and files removed after the file's tests. */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { RunStore } from '../../src-main/store/run-store';
import { tempDir } from './lab';

export function storeFiles(
  prefix: string,
  clock?: () => () => number,
): { dir: string; path(name: string): string; open(name: string): RunStore; stores: RunStore[] } {
  const tmp = tempDir(prefix);
  const stores: RunStore[] = [];
  afterAll(() => {
    for (const s of stores) s.close();
    tmp.cleanup();
  });
  const path = (name: string) => join(tmp.dir, name);
  return {
    dir: tmp.dir,
    /** Stores opened elsewhere in the test go here to be closed too. */
    stores,
    path,
    open: (name) => {
      const s = RunStore.open(path(name), clock ? { clock: clock() } : {});
      stores.push(s);
      return s;
    },
  };
}
