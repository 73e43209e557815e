import { exposedName, MAX_NAME_LENGTH } from './exposed-names';

describe('exposedName', () => {
  it.each([
    ['everything', 'echo', '__', 'everything__echo'],
    ['fixture', 'echo', '__', 'fixture__echo'],
    ['a', 'b', '.', 'a.b'],
    ['svc', 'get-sum', '__', 'svc__get-sum'],
  ])('%s + %s (sep %s) → %s', (service, name, separator, expected) => {
    expect(exposedName(service, name, separator)).toBe(expected);
  });

  it('makes unsafe names safe and keeps them apart with a stable hash', () => {
    const a = exposedName('svc', 'do thing');
    const b = exposedName('svc', 'do_thing');
    expect(a).toMatch(/^svc__do_thing_[0-9a-f]{8}$/);
    expect(b).toBe('svc__do_thing');
    expect(a).not.toBe(b);
    expect(exposedName('svc', 'do thing')).toBe(a);
  });

  it('cuts long names to the limit, distinct originals staying distinct', () => {
    const long1 = exposedName('service', 'x'.repeat(100) + '1');
    const long2 = exposedName('service', 'x'.repeat(100) + '2');
    expect(long1).toHaveLength(MAX_NAME_LENGTH);
    expect(long2).toHaveLength(MAX_NAME_LENGTH);
    expect(long1).not.toBe(long2);
    expect(long1).toMatch(/^[A-Za-z0-9_.-]+$/);
  });
});
