/// <reference types="svelte" />
/// <reference types="vite/client" />

import type { DmmLabApi } from '../src-shared/api/dmm-lab-api';

declare global {
  interface Window {
    /** Exposed by src-main/electron/preload.ts; undefined outside Electron. */
    readonly dmmLab?: DmmLabApi;
  }
}
