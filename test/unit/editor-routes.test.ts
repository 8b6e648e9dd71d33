/** The routes into the editor and out of it: #/editor?generate=KIND and #/new?arch=ID ("Train from this"). */
import { describe, expect, it } from 'vitest';
import { hrefFor, parseRoute } from '../../src-renderer/lib/router.svelte';

describe('editor routes', () => {
  it('#/editor?generate=handcrafted|layered opens a generated document; unknown kinds are ignored', () => {
    expect(parseRoute('#/editor?generate=handcrafted')).toEqual({ name: 'editor', generate: 'handcrafted' });
    expect(parseRoute('#/editor?generate=layered')).toEqual({ name: 'editor', generate: 'layered' });
    expect(parseRoute('#/editor?generate=rm -rf')).toEqual({ name: 'editor' });
    expect(parseRoute('#/editor?id=4&generate=layered')).toEqual({ name: 'editor', id: 4 });
    expect(hrefFor({ name: 'editor', generate: 'layered' })).toBe('#/editor?generate=layered');
  });

  it('#/new?arch=ID preselects a library architecture', () => {
    expect(parseRoute('#/new?arch=12')).toEqual({ name: 'new', arch: 12 });
    expect(parseRoute('#/new?arch=x')).toEqual({ name: 'new' });
    expect(parseRoute('#/new?from=3&arch=12')).toEqual({ name: 'new', from: 3 });
    expect(hrefFor({ name: 'new', arch: 12 })).toBe('#/new?arch=12');
    expect(parseRoute(hrefFor({ name: 'new', arch: 7 }))).toEqual({ name: 'new', arch: 7 });
  });
});
