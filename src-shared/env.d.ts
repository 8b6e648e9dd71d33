/**
 * The few globals the shared core may use: present alike in Node, browsers and web workers
 * (the shared core is compiled without the DOM library and without Node's types).
 */
declare global {
  /** High-resolution milliseconds (Node's perf_hooks and the browser's Performance both provide it). */
  var performance: { now(): number };
  /** The part of the WebAssembly JS API the fast engine uses (Node, browsers and workers all have it). */
  namespace WebAssembly {
    class Module {
      constructor(bytes: Uint8Array);
    }
    class Instance {
      constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      readonly buffer: ArrayBuffer;
      grow(pages: number): number;
    }
    function validate(bytes: Uint8Array): boolean;
  }
}
export {};
