// Runs sandboxed (CJS, limited `require`): only `electron` and bundled code are available.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_CHANNEL, EVENT_CHANNEL, type DmmLabApi } from './dmm-lab-api';
import { readAppVersionArg } from './window-options';

const api: DmmLabApi = Object.freeze({
  appVersion: readAppVersionArg(process.argv),
  platform: process.platform,
  request: (method: string, params: unknown) => ipcRenderer.invoke(API_CHANNEL, String(method), params),
  onEvent: (listener: (name: string, data: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, name: unknown, data: unknown) => listener(String(name), data);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('dmmLab', api);
