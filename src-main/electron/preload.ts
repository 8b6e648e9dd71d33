// Runs sandboxed (CJS, limited `require`): only `electron` and bundled code are available.
import { contextBridge } from 'electron';
import type { DmmLabApi } from './dmm-lab-api';
import { readAppVersionArg } from './window-options';

const api: DmmLabApi = Object.freeze({
  appVersion: readAppVersionArg(process.argv),
  platform: process.platform,
});

contextBridge.exposeInMainWorld('dmmLab', api);
