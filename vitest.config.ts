import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/** Files that build or package the app (slow, need out/): their own project. */
const PACKAGING = [
  'test/integration/build.test.ts',
  'test/integration/build-package.test.ts',
  'test/integration/electron-main-smoke.test.ts',
];

export default defineConfig({
  // Compiles runes in *.svelte.ts modules (renderer state classes) so their logic can be unit-tested.
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.js', import.meta.url)) })],
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('./src-shared', import.meta.url)) },
  },
  test: {
    environment: 'node',
    testTimeout: 60_000,
    // `npm test` runs every project; `npm run test:unit` (the edit-test loop) only the first.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/setup/fast-check.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: PACKAGING } },
      // end-to-end tests in Chromium (they skip themselves without /usr/bin/chromium); out/ is built once, before any file runs
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/setup/build-app.ts'] } },
      { extends: true, test: { name: 'packaging', include: PACKAGING, globalSetup: ['test/setup/build-app.ts'] } },
    ],
  },
});
