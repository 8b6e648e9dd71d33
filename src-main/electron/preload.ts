// Runs sandboxed (CJS, limited `require`): only `electron` and bundled code are available.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  API_CHANNEL,
  EVENT_CHANNEL,
  FILE_OPEN_CHANNEL,
  FILE_SAVE_CHANNEL,
  type DmmLabApi,
  type OpenFileRequest,
  type OpenFileResult,
  type SaveFileRequest,
  type SaveFileResult,
} from '../../src-shared/api/dmm-lab-api';
import { isMenuCommand, MENU_CHANNEL, type MenuCommand } from '../../src-shared/api/menu-commands';
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
  onMenuCommand: (listener: (command: MenuCommand) => void) => {
    // only the declared commands pass (never the IPC event object)
    const wrapped = (_e: IpcRendererEvent, command: unknown) => {
      if (isMenuCommand(command)) listener(command);
    };
    ipcRenderer.on(MENU_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(MENU_CHANNEL, wrapped);
    };
  },
  saveFile: (request: SaveFileRequest): Promise<SaveFileResult> => ipcRenderer.invoke(FILE_SAVE_CHANNEL, request),
  openFile: (request: OpenFileRequest): Promise<OpenFileResult> => ipcRenderer.invoke(FILE_OPEN_CHANNEL, request),
});

contextBridge.exposeInMainWorld('dmmLab', api);
