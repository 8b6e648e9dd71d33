// Read by @sveltejs/vite-plugin-svelte (via electron.vite.config.ts) and by svelte-check / editors.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  preprocess: vitePreprocess(),
};
