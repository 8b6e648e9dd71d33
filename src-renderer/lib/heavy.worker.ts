/**
 * The page's one worker: runs the heavy computations of heavy-tasks.ts off the UI thread,
 * one request at a time, and answers each with its result or its error message.
 */
import { runHeavyTask, type HeavyRequest } from './heavy-tasks';

self.onmessage = (e: MessageEvent<HeavyRequest>) => {
  self.postMessage(runHeavyTask(e.data));
};
