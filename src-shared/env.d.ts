/**
 * The few globals the shared core may use: present alike in Node, browsers and web workers
 * (the shared core is compiled without the DOM library and without Node's types).
 */
declare global {
  /** High-resolution milliseconds (Node's perf_hooks and the browser's Performance both provide it). */
  var performance: { now(): number };
}
export {};
