/// <reference types="svelte" />
/// <reference types="vite/client" />

import type { DmmLabApi } from '../src-main/electron/dmm-lab-api';

declare global {
  interface Window {
    /** Exposed by src-main/electron/preload.ts; undefined outside Electron. */
    readonly dmmLab?: DmmLabApi;
  }
}
