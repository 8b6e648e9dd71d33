// src-shared/ is the engine shared by the Electron main process, the renderer and the CLI.
// It must stay environment-neutral: no Node builtins, no Electron, no DOM/process globals.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHARED_DIR = join(ROOT, 'src-shared');
const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js|svelte)$/;
const FORBIDDEN_GLOBALS = new Set(['window', 'document', 'process']);
const BUILTINS = new Set(builtinModules);

/**
 * Removes comments and replaces every string literal with a placeholder `"__S<n>__"`
 * (its value kept in `strings`). Template literals keep their `${...}` expressions as code.
 * Regex literals are not recognised (good enough for a lint).
 */
function maskSource(src: string): { code: string; strings: string[] } {
  const strings: string[] = [];
  let i = 0;

  const scan = (untilBrace: boolean): string => {
    let out = '';
    let depth = 0;
    while (i < src.length) {
      const c = src[i]!;
      const next = src[i + 1];
      if (c === '/' && next === '/') {
        while (i < src.length && src[i] !== '\n') i++;
      } else if (c === '/' && next === '*') {
        const end = src.indexOf('*/', i + 2);
        const stop = end === -1 ? src.length : end + 2;
        out += src.slice(i, stop).replace(/[^\n]/g, ' ');
        i = stop;
      } else if (c === '"' || c === "'") {
        let value = '';
        i++;
        while (i < src.length && src[i] !== c && src[i] !== '\n') {
          if (src[i] === '\\') i++;
          value += src[i] ?? '';
          i++;
        }
        i++;
        out += `"__S${strings.push(value) - 1}__"`;
      } else if (c === '`') {
        i++;
        let text = '';
        const exprs: string[] = [];
        while (i < src.length && src[i] !== '`') {
          if (src[i] === '\\') {
            text += src[i + 1] ?? '';
            i += 2;
          } else if (src[i] === '$' && src[i + 1] === '{') {
            i += 2;
            exprs.push(scan(true));
          } else {
            text += src[i];
            i++;
          }
        }
        i++;
        const newlines = text.replace(/[^\n]/g, '');
        out += exprs.length === 0 ? `"__S${strings.push(text) - 1}__"${newlines}` : `\`\${${exprs.join('}${')}}\`${newlines}`;
      } else if (untilBrace && c === '}' && depth === 0) {
        i++;
        return out;
      } else {
        if (untilBrace && c === '{') depth++;
        if (untilBrace && c === '}') depth--;
        out += c;
        i++;
      }
    }
    return out;
  };

  return { code: scan(false), strings };
}

function isForbiddenModule(spec: string): boolean {
  return (
    spec.startsWith('node:') ||
    BUILTINS.has(spec) ||
    BUILTINS.has(spec.split('/')[0]!) ||
    spec === 'electron' ||
    spec.startsWith('electron/')
  );
}

const IMPORT_PATTERNS = [
  /\bfrom\s*"__S(\d+)__"/g, // import ... from 'x' / export ... from 'x'
  /\bimport\s*"__S(\d+)__"/g, // import 'x'
  /\bimport\s*\(\s*"__S(\d+)__"/g, // import('x')
  /\brequire\s*\(\s*"__S(\d+)__"/g, // require('x'), import x = require('x')
];
const MODIFIERS = String.raw`(?:(?:public|private|protected|static|async|override|abstract|get|set)\s+)*`;

/** Returns human-readable violations for one source text (TS/JS code). */
function checkCode(src: string): string[] {
  const { code, strings } = maskSource(src);
  const lineOf = (index: number): number => code.slice(0, index).split('\n').length;
  const problems: string[] = [];

  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      const spec = strings[Number(m[1])]!;
      if (isForbiddenModule(spec)) problems.push(`line ${lineOf(m.index)}: imports '${spec}'`);
    }
  }

  for (const m of code.matchAll(/(?<![\w$])(window|document|process)(?![\w$])/g)) {
    const before = code.slice(0, m.index);
    const lineStart = before.slice(before.lastIndexOf('\n') + 1);
    const after = code.slice(m.index + m[0].length);
    const lineRest = after.split('\n', 1)[0]!;
    // Member access `x.process` / `x?.process` is fine (but `globalThis.process` is not).
    if (/\.\s*$/.test(before) && !/\bglobalThis\s*\??\.\s*$/.test(before)) continue;
    // Object-literal / interface / parameter key: `{ window: 1 }`, `  process?: Foo`.
    if (/^\s*\??:/.test(after) && (/[{,;(]\s*$/.test(before) || /^\s*$/.test(lineStart))) continue;
    // Class method declaration: `  async process(x: T): R {`.
    if (new RegExp(`^\\s*${MODIFIERS}$`).test(lineStart) && /^\s*(<[^>]*>)?\(.*\)\s*(:[^=;]*)?\{\s*$/.test(lineRest)) continue;
    problems.push(`line ${lineOf(m.index)}: uses global '${m[1]}'`);
  }

  for (const m of code.matchAll(/\bglobalThis\s*\[\s*"__S(\d+)__"/g)) {
    const name = strings[Number(m[1])]!;
    if (FORBIDDEN_GLOBALS.has(name)) problems.push(`line ${lineOf(m.index)}: uses global '${name}'`);
  }
  return problems;
}

/** For .svelte files: checks <script> blocks and `{...}` markup expressions. */
function checkSvelte(src: string): string[] {
  const problems: string[] = [];
  const withoutComments = src.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of withoutComments.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) problems.push(...checkCode(m[1]!));
  const markup = withoutComments
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '')
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '');
  for (const m of markup.matchAll(/\{([^{}]*)\}/g)) {
    problems.push(...checkCode(m[1]!).map((p) => `markup {${m[1]!.trim()}}: ${p}`));
  }
  return problems;
}

function listSharedFiles(): string[] {
  if (!existsSync(SHARED_DIR)) return [];
  return readdirSync(SHARED_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => SOURCE_FILE.test(f) && !f.split(/[\\/]/).includes('node_modules'))
    .map((f) => join(SHARED_DIR, f))
    .sort();
}

describe('shared-purity checker (self-check)', () => {
  const bad: Record<string, string> = {
    'node: import': `import { readFileSync } from 'node:fs';`,
    'bare builtin': `import * as path from "path";`,
    'builtin subpath': `import { readFile } from 'fs/promises';`,
    'type-only builtin import': `import type { Worker } from 'worker_threads';`,
    're-export': `export { createHash } from 'crypto';`,
    'side-effect import': `import 'os';`,
    'dynamic import': "const m = await import(`child_process`);",
    require: `const u = require('util');`,
    electron: `import { ipcRenderer } from 'electron';`,
    window: `const w = window.innerWidth;`,
    document: `document.title = 'x';`,
    process: `const env = process.env.NODE_ENV;`,
    'typeof sniffing': `if (typeof window !== 'undefined') {}`,
    'globalThis member': `const p = globalThis.process;`,
    'globalThis index': `const p = globalThis['document'];`,
    'inside template expression': 'const s = `${process.argv[0]}`;',
    'after a comment': `/* harmless */ // also harmless\nconst a = process.cwd();`,
  };
  for (const [name, snippet] of Object.entries(bad)) {
    it(`flags: ${name}`, () => expect(checkCode(snippet)).not.toEqual([]));
  }

  it('flags globals in .svelte scripts and markup', () => {
    expect(checkSvelte(`<script lang="ts">const x = window.x;</script><p>hi</p>`)).not.toEqual([]);
    expect(checkSvelte(`<script lang="ts">let a = 1;</script><p>{document.title}</p>`)).not.toEqual([]);
    expect(checkSvelte(`<script lang="ts">let a = 1;</script><!-- {window} --><p>don't {a}</p>`)).toEqual([]);
  });

  const good: Record<string, string> = {
    comments: `// import fs from 'fs'\n/* window.document process */\nexport const a = 1;`,
    strings: `const s = "process window document"; const t = 'import fs from "fs"'; const u = \`window\`;`,
    'relative module named like a builtin': `import { x } from './fs'; import { y } from '../path/util';`,
    'member access': `obj.process(x); state.window = 3; a?.document;`,
    'object keys and interface members': `const o = { window: 4, process: 'x' };\ninterface I {\n  window: number;\n  process?: string\n}`,
    'class method named process': `class Machine {\n  process(input: number): number {\n    return input;\n  }\n}`,
    'lookalike identifiers': `const windowSize = 3; const processed = true; const myDocument = null; const $window = 1;`,
  };
  for (const [name, snippet] of Object.entries(good)) {
    it(`does not flag: ${name}`, () => expect(checkCode(snippet)).toEqual([]));
  }
});

describe('src-shared purity', () => {
  it('has no Node builtin / electron imports and no window/document/process globals', () => {
    const violations: string[] = [];
    for (const file of listSharedFiles()) {
      let src: string;
      try {
        src = readFileSync(file, 'utf8');
      } catch {
        continue; // file vanished while being written by someone else
      }
      const problems = file.endsWith('.svelte') ? checkSvelte(src) : checkCode(src);
      violations.push(...problems.map((p) => `${relative(ROOT, file)} ${p}`));
    }
    expect(violations).toEqual([]);
  });
});
