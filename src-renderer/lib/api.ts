/** The one lab client of the page (IPC in Electron, HTTP in a browser), shared by every view. */
import { connect, type LabClient } from '../api/connect';

export const api: LabClient | undefined = connect();

/** A readable message for any failure of an API call. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
