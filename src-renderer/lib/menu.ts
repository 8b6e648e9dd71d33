/**
 * The application menu in the renderer (Electron only; a no-op in a browser): screens
 * register what a command does on them with `onMenuCommand`, and `installMenuDefaults`
 * gives the commands their meaning where no screen claims them (new architecture → the
 * editor, getting started → the welcome screen, open/import → import runs from a file).
 */
import { MENU_COMMANDS, type MenuCommand } from '@shared/api/menu-commands';
import { api, errorMessage } from './api';
import { openTextFile } from './download';
import { isTextField, MenuDispatcher } from './menu-dispatch';
import { editorSession } from '../editor/editor-session.svelte';

export { MENU_COMMANDS, type MenuCommand };

const bridge = typeof window === 'undefined' ? undefined : window.dmmLab;

const dispatcher = new MenuDispatcher({
  isTextEditing: () => isTextField(document.activeElement),
  // the focused field's own undo (document.execCommand is deprecated but the only way to reach it)
  textCommand: (command) => void document.execCommand(command),
});

if (bridge?.onMenuCommand) bridge.onMenuCommand((command) => dispatcher.dispatch(command));

/** What `command` does on the current screen (the newest registration wins); returns its removal. No-op in a browser. */
export function onMenuCommand(command: MenuCommand, handler: () => void): () => void {
  if (!bridge?.onMenuCommand) return () => undefined;
  return dispatcher.on(command, handler);
}

let installed = false;

/** The commands' meaning when no screen claims them; call once from the shell. */
export function installMenuDefaults(): void {
  if (installed || !bridge?.onMenuCommand) return;
  installed = true;
  // the editor keeps its document across screens: a new one replaces it (after asking about unsaved work)
  onMenuCommand('new-architecture', () => {
    if (!editorSession.confirmDiscard((q) => window.confirm(q))) return;
    editorSession.reset();
    location.hash = '#/editor';
  });
  onMenuCommand('show-welcome', () => (location.hash = '#/welcome'));
  onMenuCommand('open-import', () => void importRunsFromFile());
}

/** Asks for a run export (JSON written by Export or `runs export`) and imports its runs. */
async function importRunsFromFile(): Promise<void> {
  if (!api) return;
  try {
    const file = await openTextFile([{ name: 'DMM Lab runs', extensions: ['json'] }]);
    if (!file) return;
    const data: unknown = JSON.parse(file.text);
    const runs = Array.isArray(data) ? data : [data];
    const { ids } = await api['runs.import']({ runs: runs as never });
    location.hash = ids.length === 1 ? `#/runs/${ids[0]}` : '#/runs';
  } catch (e) {
    window.alert(`Import failed: ${errorMessage(e)}`);
  }
}
