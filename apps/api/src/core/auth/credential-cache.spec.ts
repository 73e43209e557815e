import { CredentialCache } from './credential-cache';
import type { Principal } from './principal';

const client = (id: string): Principal => ({ kind: 'client', id, role: 'viewer' });

describe('CredentialCache', () => {
  let now: number;
  const clock = (): number => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('answers a hit with what was stored, and a miss with nothing', () => {
    const cache = new CredentialCache(10_000, 10, clock);
    cache.set('a', client('t1'), cache.ticket());
    expect(cache.get('a')).toEqual(client('t1'));
    expect(cache.get('b')).toBeUndefined();
  });

  it('forgets an entry after the TTL, and before it when the credential itself expires first', () => {
    const cache = new CredentialCache(10_000, 10, clock);
    cache.set('long', client('t1'), cache.ticket());
    cache.set('short', client('t2'), cache.ticket(), now + 2_000);
    now += 2_000;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBeDefined();
    now += 8_000;
    expect(cache.get('long')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not store a credential that has already expired', () => {
    const cache = new CredentialCache(10_000, 10, clock);
    cache.set('gone', client('t1'), cache.ticket(), now);
    expect(cache.get('gone')).toBeUndefined();
  });

  it('clear() forgets everything, and drops what a look-up begun before it found', () => {
    const cache = new CredentialCache(10_000, 10, clock);
    cache.set('a', client('t1'), cache.ticket());
    const begunBefore = cache.ticket();
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', client('t2'), begunBefore);
    expect(cache.get('b')).toBeUndefined();
    cache.set('b', client('t2'), cache.ticket());
    expect(cache.get('b')).toBeDefined();
  });

  it('delete() forgets one entry', () => {
    const cache = new CredentialCache(10_000, 10, clock);
    cache.set('a', client('t1'), cache.ticket());
    cache.set('b', client('t2'), cache.ticket());
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
  });

  it('holds at most its bound, dropping the entry used longest ago', () => {
    const cache = new CredentialCache(10_000, 2, clock);
    cache.set('a', client('t1'), cache.ticket());
    cache.set('b', client('t2'), cache.ticket());
    cache.get('a');
    cache.set('c', client('t3'), cache.ticket());
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('keeps nothing with a TTL of 0', () => {
    const cache = new CredentialCache(0, 10, clock);
    cache.set('a', client('t1'), cache.ticket());
    expect(cache.get('a')).toBeUndefined();
  });

  it('while paused answers nothing and stores nothing; resumed, it starts empty', () => {
    const cache = new CredentialCache(10_000, 10, clock);
    cache.set('a', client('t1'), cache.ticket());
    const ticket = cache.ticket();
    cache.pause();
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', client('t2'), cache.ticket());
    expect(cache.get('b')).toBeUndefined();
    cache.resume();
    expect(cache.get('a')).toBeUndefined();
    cache.set('c', client('t3'), ticket);
    expect(cache.get('c')).toBeUndefined();
    cache.set('c', client('t3'), cache.ticket());
    expect(cache.get('c')).toEqual(client('t3'));
  });
});
