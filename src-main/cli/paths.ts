import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The project root (this file is src-main/cli/paths.ts). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A bundled matrix from the 2022 prototype (resources/circuits/julia-dmm-lite). */
export function fixturePath(name: string): string {
  return resolve(PROJECT_ROOT, 'resources/circuits/julia-dmm-lite', name);
}
