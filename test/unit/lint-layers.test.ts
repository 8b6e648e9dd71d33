// The architecture's layers are kept by lint (eslint.config.js): src-shared imports neither
// Node, Electron, the DOM nor the layers above it; src-renderer never imports src-main. These
// probes are linted as if they stood in each layer, so a rule that stops working fails here.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Type information is not needed for the layer rules, and a probe file is not on disk.
const eslint = new ESLint({ cwd: ROOT, overrideConfig: [tseslint.configs.disableTypeChecked] });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const LAYER_RULES = ['no-restricted-imports', 'no-restricted-globals'];
const layerViolations = async (file: string, code: string) =>
  (await ruleIds(file, code)).filter((r) => LAYER_RULES.includes(r) || r.startsWith('fatal'));

describe('lint keeps the layers', () => {
  const refused: [string, string, string][] = [
    ['src-shared', 'a Node builtin with the node: scheme', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
    ['src-shared', 'a Node builtin by its bare name', "import { join } from 'path';\nexport const j = join;\n"],
    ['src-shared', 'Electron', "import { app } from 'electron';\nexport const a = app;\n"],
    ['src-shared', 'the main process', "import { RunStore } from '../../src-main/store/run-store';\nexport type S = RunStore;\n"],
    ['src-shared', 'the renderer', "import { fmt } from '../../src-renderer/lib/format';\nexport const f = fmt;\n"],
    ['src-shared', 'a DOM global', 'export const w = window.innerWidth;\n'],
    ['src-shared', "Node's process global", 'export const env = process.env.HOME;\n'],
    ['src-renderer', 'the main process', "import { Supervisor } from '../../src-main/runs/supervisor';\nexport type S = Supervisor;\n"],
    ['src-renderer', 'a Node builtin', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
  ];
  for (const [layer, what, code] of refused) {
    it(`refuses ${what} in ${layer}`, async () => {
      const found = await layerViolations(`${layer}/lint-probe/probe.ts`, code);
      expect(found.filter((r) => LAYER_RULES.includes(r))).not.toEqual([]);
    });
  }

  it('refuses an import of the main process in a Svelte component', async () => {
    const code =
      '<script lang="ts">\n  import { Supervisor } from \'../../src-main/runs/supervisor\';\n  export const s: Supervisor | null = null;\n</script>\n';
    expect(await layerViolations('src-renderer/lint-probe/Probe.svelte', code)).toContain('no-restricted-imports');
  });

  const allowed: [string, string, string][] = [
    ['src-main', 'Node builtins', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
    ['src-shared', 'a sibling module named like a builtin', "import { fmt } from './events';\nexport const f = fmt;\n"],
    [
      'src-renderer',
      'the shared core',
      "import { parseSchedule } from '../../src-shared/synthesis/schedule';\nexport const p = parseSchedule;\n",
    ],
    ['src-renderer', 'the DOM', 'export const w = window.innerWidth;\n'],
  ];
  for (const [layer, what, code] of allowed) {
    it(`allows ${what} in ${layer}`, async () => {
      expect(await layerViolations(`${layer}/lint-probe/probe.ts`, code)).toEqual([]);
    });
  }
});
