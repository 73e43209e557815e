import { ResponseCache } from './response-cache';

describe('ResponseCache', () => {
  it('serves a list until the matching list_changed', () => {
    const cache = new ResponseCache();
    const key = cache.listKey('tools/list', {});
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, { tools: [{ name: 'echo' }] });
    expect(cache.get(key)).toEqual({ tools: [{ name: 'echo' }] });
    cache.invalidate('notifications/prompts/list_changed');
    expect(cache.get(key)).toBeDefined();
    cache.invalidate('notifications/tools/list_changed');
    expect(cache.get(key)).toBeUndefined();
  });

  it('keeps pages apart and drops all of them on change', () => {
    const cache = new ResponseCache();
    cache.set(cache.listKey('resources/list', {}), { page: 1 });
    cache.set(cache.listKey('resources/list', { cursor: 'c2' }), { page: 2 });
    expect(cache.get(cache.listKey('resources/list', { cursor: 'c2' }))).toEqual({ page: 2 });
    cache.invalidate('notifications/resources/list_changed');
    expect(cache.get(cache.listKey('resources/list', {}))).toBeUndefined();
    expect(cache.get(cache.listKey('resources/list', { cursor: 'c2' }))).toBeUndefined();
  });

  it('honours ttlMs (2026-07-28): 0 is never cached, a positive value expires', () => {
    let now = 1000;
    const cache = new ResponseCache(() => now);
    cache.set('tools/list', { tools: [], ttlMs: 0 });
    expect(cache.get('tools/list')).toBeUndefined();
    cache.set('tools/list', { tools: [], ttlMs: 500 });
    now += 499;
    expect(cache.get('tools/list')).toBeDefined();
    now += 2;
    expect(cache.get('tools/list')).toBeUndefined();
  });

  it('caches only read-only tools, per arguments, for the given time, and forgets them on tools/list_changed', () => {
    let now = 0;
    const cache = new ResponseCache(() => now);
    cache.learnTools({
      tools: [
        { name: 'lookup', annotations: { readOnlyHint: true } },
        { name: 'write', annotations: { readOnlyHint: false } },
        { name: 'plain' },
      ],
    });
    expect(cache.toolKey({ name: 'write', arguments: {} })).toBeNull();
    expect(cache.toolKey({ name: 'plain' })).toBeNull();
    const a = cache.toolKey({ name: 'lookup', arguments: { q: 'a' } }) as string;
    const b = cache.toolKey({ name: 'lookup', arguments: { q: 'b' } }) as string;
    expect(a).not.toBe(b);
    cache.set(a, { content: [] }, 1000);
    expect(cache.get(a)).toBeDefined();
    expect(cache.get(b)).toBeUndefined();
    now += 1001;
    expect(cache.get(a)).toBeUndefined();
    cache.set(a, { content: [] }, 1000);
    cache.invalidate('notifications/tools/list_changed');
    expect(cache.get(a)).toBeUndefined();
  });

  it.each([
    ['tools/list', true],
    ['prompts/list', true],
    ['resources/templates/list', true],
    ['tools/call', false],
    ['resources/read', false],
  ])('%s is a list: %s', (method, expected) => {
    expect(ResponseCache.isListMethod(method)).toBe(expected);
  });
});
