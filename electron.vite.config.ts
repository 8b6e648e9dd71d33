import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = fileURLToPath(new URL('.', import.meta.url));
const fromRoot = (p: string): string => resolve(root, p);

// Shared by all three builds (and mirrored in tsconfig.json `paths` and vitest.config.ts).
const alias = { '@shared': fromRoot('src-shared') };

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: fromRoot('out/main'),
      rollupOptions: {
        // `index` so the output is out/main/index.js (package.json "main").
        // run-worker: the entry of each run's utility process; reader-worker: the API's reader threads.
        input: {
          index: fromRoot('src-main/electron/main.ts'),
          'run-worker': fromRoot('src-main/runs/run-worker.ts'),
          'reader-worker': fromRoot('src-main/lab/reader-worker.ts'),
        },
        // Native module: never bundle it. (electron-vite also externalizes all
        // package.json "dependencies" by default; this keeps it explicit.)
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: fromRoot('out/preload'),
      // Sandboxed preloads get a tiny `require` (electron + a few builtins) and
      // cannot load ESM or node_modules: bundle everything into one CJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: fromRoot('src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: fromRoot('src-renderer'),
    resolve: { alias },
    // The renderer root is src-renderer/, so point the plugin at the root-level svelte.config.js.
    plugins: [svelte({ configFile: fromRoot('svelte.config.js') })],
    build: {
      outDir: fromRoot('out/renderer'),
      rollupOptions: { input: fromRoot('src-renderer/index.html') },
    },
  },
});
