/**
 * Which Node ABI a native addon was built for. A (non-N-API) addon such as better-sqlite3
 * exports `node_register_module_v<NODE_MODULE_VERSION>`: 115 for Node 20, 143 for Electron
 * 40. scripts/electron-native.ts checks it before installing a build, because a build
 * against the wrong headers (npm's `nodedir` pointing at Node's, say) compiles fine and only
 * fails when the app starts.
 */
export function addonAbis(binary: Uint8Array): number[] {
  const text = new TextDecoder('latin1').decode(binary);
  const abis = new Set<number>();
  for (const m of text.matchAll(/node_register_module_v(\d+)/g)) abis.add(Number(m[1]));
  return [...abis].sort((a, b) => a - b);
}

/** Undefined when `binary` is built for `abi`; otherwise why not. */
export function abiMismatch(binary: Uint8Array, abi: number): string | undefined {
  const found = addonAbis(binary);
  if (found.includes(abi)) return undefined;
  return found.length === 0
    ? `it is not a Node addon (no node_register_module_v${abi})`
    : `it is built for ABI ${found.join(', ')}, not ${abi}`;
}
