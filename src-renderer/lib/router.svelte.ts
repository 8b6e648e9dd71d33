/**
 * Hash routes of the renderer (work the same from file:// in Electron and from the browser host):
 * #/runs · #/runs/ID · #/new (?from=RUN | ?arch=ARCH | ?problem=NAME) · #/compare/ID,ID,… · #/editor (?id=ARCH | ?generate=KIND)
 * · #/diff (?a=SPEC&b=SPEC | ?id=N) · #/problems (/NAME, ?v=VERSION) · #/sweeps · #/sweeps/ID · #/settings
 */
export type Route =
  | { readonly name: 'runs' }
  | { readonly name: 'run'; readonly id: number }
  /** The sweeps, or one sweep's page. */
  | { readonly name: 'sweeps' }
  | { readonly name: 'sweep'; readonly id: number }
  | { readonly name: 'new'; readonly from?: number; readonly arch?: number; readonly problem?: string }
  /** The problems: the list, or one problem (a version of it). */
  | { readonly name: 'problems'; readonly problem?: string; readonly version?: number }
  | { readonly name: 'compare'; readonly ids: readonly number[] }
  | { readonly name: 'editor'; readonly id?: number; readonly generate?: EditorGenerator }
  /** Circuit diff: two circuits by reference (snap:ID, run:ID, arch:ID, hand), or a saved comparison. */
  | { readonly name: 'diff'; readonly a?: string; readonly b?: string; readonly id?: number }
  /** Settings (the Cluster section). */
  | { readonly name: 'settings' }
  /** The first-run screen (Help → Getting started). */
  | { readonly name: 'welcome' };

/** Generators the editor route can open a new document with (#/editor?generate=handcrafted). */
export const EDITOR_GENERATORS = ['handcrafted', 'layered', 'compare-free', 'recurrent'] as const;
export type EditorGenerator = (typeof EDITOR_GENERATORS)[number];

/** A problem's name as the problem schema allows it. */
const PROBLEM_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- parses a string once, not state
  const params = new URLSearchParams(query);
  if (parts[0] === 'runs' && parts[1] && /^\d+$/.test(parts[1])) return { name: 'run', id: Number(parts[1]) };
  if (parts[0] === 'sweeps') return parts[1] && /^\d+$/.test(parts[1]) ? { name: 'sweep', id: Number(parts[1]) } : { name: 'sweeps' };
  if (parts[0] === 'new') {
    const from = params.get('from');
    if (from && /^\d+$/.test(from)) return { name: 'new', from: Number(from) };
    const arch = params.get('arch');
    if (arch && /^\d+$/.test(arch)) return { name: 'new', arch: Number(arch) };
    const problem = params.get('problem');
    return problem && PROBLEM_NAME.test(problem) ? { name: 'new', problem } : { name: 'new' };
  }
  if (parts[0] === 'problems') {
    const problem = parts[1] !== undefined ? decodeURIComponent(parts[1]) : undefined;
    if (problem === undefined || !PROBLEM_NAME.test(problem)) return { name: 'problems' };
    const v = params.get('v');
    return v && /^[1-9]\d{0,8}$/.test(v) ? { name: 'problems', problem, version: Number(v) } : { name: 'problems', problem };
  }
  if (parts[0] === 'editor') {
    const id = params.get('id');
    if (id && /^\d+$/.test(id)) return { name: 'editor', id: Number(id) };
    const g = EDITOR_GENERATORS.find((k) => k === params.get('generate'));
    return g ? { name: 'editor', generate: g } : { name: 'editor' };
  }
  if (parts[0] === 'diff') {
    const id = params.get('id');
    if (id && /^\d+$/.test(id)) return { name: 'diff', id: Number(id) };
    const a = params.get('a');
    return a ? { name: 'diff', a, b: params.get('b') ?? 'hand' } : { name: 'diff', b: params.get('b') ?? 'hand' };
  }
  if (parts[0] === 'welcome') return { name: 'welcome' };
  if (parts[0] === 'settings') return { name: 'settings' };
  if (parts[0] === 'compare') {
    const ids = (parts[1] ?? '')
      .split(',')
      .filter((x) => /^\d+$/.test(x))
      .map(Number);
    return { name: 'compare', ids };
  }
  return { name: 'runs' };
}

export function hrefFor(r: Route): string {
  switch (r.name) {
    case 'runs':
      return '#/runs';
    case 'welcome':
      return '#/welcome';
    case 'settings':
      return '#/settings';
    case 'run':
      return `#/runs/${r.id}`;
    case 'sweeps':
      return '#/sweeps';
    case 'sweep':
      return `#/sweeps/${r.id}`;
    case 'new':
      if (r.problem !== undefined) return `#/new?problem=${encodeURIComponent(r.problem)}`;
      return r.from !== undefined ? `#/new?from=${r.from}` : r.arch !== undefined ? `#/new?arch=${r.arch}` : '#/new';
    case 'problems':
      if (r.problem === undefined) return '#/problems';
      return `#/problems/${encodeURIComponent(r.problem)}${r.version !== undefined ? `?v=${r.version}` : ''}`;
    case 'compare':
      return `#/compare/${r.ids.join(',')}`;
    case 'editor':
      return r.id !== undefined ? `#/editor?id=${r.id}` : r.generate !== undefined ? `#/editor?generate=${r.generate}` : '#/editor';
    case 'diff': {
      if (r.id !== undefined) return `#/diff?id=${r.id}`;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- builds a string once, not state
      const q = new URLSearchParams();
      if (r.a !== undefined) q.set('a', r.a);
      if (r.b !== undefined) q.set('b', r.b);
      const text = q.toString().replaceAll('%3A', ':');
      return text ? `#/diff?${text}` : '#/diff';
    }
  }
}

class Router {
  route = $state<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (this.route = parseRoute(location.hash)));
  }

  go(r: Route): void {
    location.hash = hrefFor(r);
  }
}

export const router = new Router();
