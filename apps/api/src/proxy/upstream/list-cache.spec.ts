import { ListCache } from './list-cache';

describe('ListCache', () => {
  it('serves a list until the matching list_changed, counting hits and misses', () => {
    const cache = new ListCache();
    const key = cache.key('tools/list', {});
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, { tools: [{ name: 'echo' }] });
    expect(cache.get(key)).toEqual({ tools: [{ name: 'echo' }] });
    cache.invalidate('notifications/prompts/list_changed');
    expect(cache.get(key)).toBeDefined();
    cache.invalidate('notifications/tools/list_changed');
    expect(cache.get(key)).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([2, 2]);
  });

  it('keeps pages apart and drops all of them on change', () => {
    const cache = new ListCache();
    cache.set(cache.key('resources/list', {}), { page: 1 });
    cache.set(cache.key('resources/list', { cursor: 'c2' }), { page: 2 });
    expect(cache.get(cache.key('resources/list', { cursor: 'c2' }))).toEqual({ page: 2 });
    cache.invalidate('notifications/resources/list_changed');
    expect(cache.get(cache.key('resources/list', {}))).toBeUndefined();
    expect(cache.get(cache.key('resources/list', { cursor: 'c2' }))).toBeUndefined();
  });

  it('honours ttlMs (2026-07-28): 0 is never cached, a positive value expires', () => {
    let now = 1000;
    const cache = new ListCache(() => now);
    cache.set('tools/list', { tools: [], ttlMs: 0 });
    expect(cache.get('tools/list')).toBeUndefined();
    cache.set('tools/list', { tools: [], ttlMs: 500 });
    now += 499;
    expect(cache.get('tools/list')).toBeDefined();
    now += 2;
    expect(cache.get('tools/list')).toBeUndefined();
  });

  it.each([
    ['tools/list', true],
    ['prompts/list', true],
    ['resources/templates/list', true],
    ['tools/call', false],
    ['resources/read', false],
  ])('%s cacheable: %s', (method, expected) => {
    expect(ListCache.isCacheable(method)).toBe(expected);
  });
});
