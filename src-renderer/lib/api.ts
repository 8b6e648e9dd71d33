/**
 * The one lab client of the page (IPC in Electron, HTTP in a browser). App connects once and
 * provides it to every screen by Svelte context; a screen reaches it by labClient().
 */
import { getContext, setContext } from 'svelte';
import { connect, type LabClient } from '../api/connect';

/** The connection made when the page loads (undefined when the page has no lab to talk to). */
export const api: LabClient | undefined = connect();

const LAB_CLIENT = Symbol('lab client');

/** Makes `client` the lab client of every component below the caller (App, at initialisation). */
export function provideLabClient(client: LabClient): void {
  setContext(LAB_CLIENT, client);
}

/** The lab client App provides (call during a component's initialisation). */
export function labClient(): LabClient {
  const client = getContext<LabClient | undefined>(LAB_CLIENT);
  if (client === undefined) throw new Error('no lab client: App provides one to the screens it shows only when connected');
  return client;
}

/** A readable message for any failure of an API call. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
