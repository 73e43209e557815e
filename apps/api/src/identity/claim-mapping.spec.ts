import { claimAt, roleFor, servicesFrom, suggestedName } from './claim-mapping';

const MAP = [
  { value: 'mcp-admins', role: 'admin' as const },
  { value: 'mcp-ops', role: 'operator' as const },
  { value: '*', role: 'viewer' as const },
];

describe('claim mapping', () => {
  it.each([
    [{ groups: ['mcp-admins'] }, MAP, 'admin'],
    [{ groups: ['mcp-ops', 'mcp-admins'] }, MAP, 'admin'],
    [{ groups: ['mcp-ops'] }, MAP, 'operator'],
    [{ groups: ['staff'] }, MAP, 'viewer'],
    [{}, MAP, 'viewer'],
    [{ groups: ['/team/mcp-ops'] }, MAP, 'operator'],
    [{ groups: 'mcp-ops staff' }, MAP, 'operator'],
    [{ groups: ['staff'] }, MAP.slice(0, 2), null],
    [{ groups: ['mcp-admins'] }, [], null],
  ])('%j with %j gives %s', (claims, mappings, role) => {
    expect(roleFor(claims, 'groups', mappings)).toBe(role);
  });

  it('reads nested claims by a dotted path, and a claim named with dots first', () => {
    expect(claimAt({ realm_access: { roles: ['a'] } }, 'realm_access.roles')).toEqual(['a']);
    expect(claimAt({ 'https://example.com/groups': ['b'] }, 'https://example.com/groups')).toEqual(['b']);
    expect(claimAt({ realm_access: 'x' }, 'realm_access.roles')).toBeUndefined();
    expect(roleFor({ realm_access: { roles: ['mcp-ops'] } }, 'realm_access.roles', MAP)).toBe('operator');
  });

  it('limits services from a claim; a missing claim limits to none; * opens all; no claim configured changes nothing', () => {
    expect(servicesFrom({ svc: ['a', 'b'] }, 'svc')).toEqual(['a', 'b']);
    expect(servicesFrom({}, 'svc')).toEqual([]);
    expect(servicesFrom({ svc: ['*'] }, 'svc')).toBeNull();
    expect(servicesFrom({ svc: ['a'] }, undefined)).toBeUndefined();
  });

  it('suggests preferred_username, then e-mail, then name', () => {
    expect(suggestedName({ preferred_username: 'ann', email: 'a@x' })).toBe('ann');
    expect(suggestedName({ email: 'a@x', name: 'Ann' })).toBe('a@x');
    expect(suggestedName({ sub: '1' })).toBeNull();
  });
});
