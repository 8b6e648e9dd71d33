// @ts-check
// Lint: the layers of the architecture as import zones, TypeScript and Svelte rules, and
// Prettier for formatting (eslint-config-prettier turns off the rules that would fight it).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NOT_NODE = 'src-shared and src-renderer run outside Node: no Node builtins.';

/** Node's builtin modules by their bare names (exact matches: `./events` is not `events`). */
const nodeBuiltinPaths = builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: NOT_NODE }));

/** What no environment-neutral module may import: Node, Electron, and the main process. */
const notNodeNorElectron = [
  { group: ['node:*'], message: NOT_NODE },
  { group: ['electron', 'electron/*'], message: 'Only src-main/electron may import Electron.' },
  { group: ['**/src-main', '**/src-main/**'], message: 'src-main is the main process: share code through src-shared instead.' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'build/',
      'coverage/',
      'test-results/',
      '.tmp/',
      'resources/',
      'test/fixtures/lint/**',
      'src-wasm/', // AssemblyScript, not TypeScript
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // noUncheckedIndexedAccess is on: a cast the checker no longer needs is noise.
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // Every plain Map/Set/URLSearchParams in renderer code says why it is not reactive (a disable comment with its reason).
      'svelte/prefer-svelte-reactivity': 'error',
    },
  },
  {
    // Plain JavaScript (configuration, test fixtures) is linted without type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  // Layers.
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltinPaths,
          patterns: [
            ...notNodeNorElectron,
            {
              group: ['**/src-renderer', '**/src-renderer/**', 'svelte', 'svelte/*'],
              message: 'src-shared must not depend on the renderer.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'navigator',
          'localStorage',
          'location',
          'process',
          'Buffer',
          'require',
          '__dirname',
          '__filename',
          'global',
        ].map((name) => ({ name, message: 'src-shared is environment-neutral: no DOM or Node globals.' })),
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { paths: nodeBuiltinPaths, patterns: notNodeNorElectron }] },
  },
  {
    files: ['src-main/**', 'scripts/**', 'test/**', '*.ts', '*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Tests read loosely typed JSON replies.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
