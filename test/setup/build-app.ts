/**
 * Global setup of the end-to-end and packaging projects: builds the app (`electron-vite
 * build`, as `npm run build`) once before any of their files runs, when out/ is missing or
 * older than its sources. Test files then use out/ as it is.
 */
import { ensureAppBuild } from '../helpers/browser';

export default async function setup(): Promise<void> {
  await ensureAppBuild();
}
