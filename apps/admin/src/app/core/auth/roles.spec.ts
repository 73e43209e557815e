import type { UserRole } from '@mcp-proxy/shared/dto';
import { roleAllows, roleHint } from './roles';

describe('roleAllows', () => {
  it.each<[UserRole, UserRole, boolean]>([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['viewer', 'admin', false],
    ['operator', 'viewer', true],
    ['operator', 'operator', true],
    ['operator', 'admin', false],
    ['admin', 'viewer', true],
    ['admin', 'admin', true],
  ])('%s may do what %s may: %s', (held, required, allowed) => {
    expect(roleAllows(held, required)).toBe(allowed);
  });

  it('explains what is missing', () => {
    expect(roleHint('operator')).toBe('Needs the operator role or higher');
    expect(roleHint('admin')).toBe('Only admins can do this');
  });
});
