/**
 * Hash routes of the renderer (work the same from file:// in Electron and from the browser host):
 * #/runs · #/runs/ID · #/new (?from=RUN) · #/compare/ID,ID,… · #/editor (?id=ARCH)
 */
export type Route =
  | { readonly name: 'runs' }
  | { readonly name: 'run'; readonly id: number }
  | { readonly name: 'new'; readonly from?: number }
  | { readonly name: 'compare'; readonly ids: readonly number[] }
  | { readonly name: 'editor'; readonly id?: number };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  if (parts[0] === 'runs' && parts[1] && /^\d+$/.test(parts[1])) return { name: 'run', id: Number(parts[1]) };
  if (parts[0] === 'new') {
    const from = params.get('from');
    return from && /^\d+$/.test(from) ? { name: 'new', from: Number(from) } : { name: 'new' };
  }
  if (parts[0] === 'editor') {
    const id = params.get('id');
    return id && /^\d+$/.test(id) ? { name: 'editor', id: Number(id) } : { name: 'editor' };
  }
  if (parts[0] === 'compare') {
    const ids = (parts[1] ?? '').split(',').filter((x) => /^\d+$/.test(x)).map(Number);
    return { name: 'compare', ids };
  }
  return { name: 'runs' };
}

export function hrefFor(r: Route): string {
  switch (r.name) {
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${r.id}`;
    case 'new':
      return r.from !== undefined ? `#/new?from=${r.from}` : '#/new';
    case 'compare':
      return `#/compare/${r.ids.join(',')}`;
    case 'editor':
      return r.id !== undefined ? `#/editor?id=${r.id}` : '#/editor';
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
