import { OriginPolicy } from './origin-policy';

describe('OriginPolicy', () => {
  const policy = new OriginPolicy(['mcp.example.com', '198.51.100.4', '2001:DB8::7', undefined], () => ['10.0.0.5', 'fe80::1']);
  it.each([
    [undefined, 'localhost:8437', true],
    [undefined, '10.0.0.5:8437', true],
    [undefined, '10.0.0.6:8437', false],
    [undefined, '198.51.100.4', true],
    [undefined, '[2001:db8:0::7]:8437', true],
    [undefined, '127.0.0.1:8437', true],
    [undefined, 'mcp.example.com', true],
    [undefined, 'evil.example:8437', false],
    [undefined, undefined, false],
    ['http://localhost:3437', 'localhost:8437', true],
    ['http://127.0.0.1:3437', '127.0.0.1:8437', true],
    ['http://[::1]:3437', '[::1]:8437', true],
    ['https://mcp.example.com', 'mcp.example.com', true],
    ['http://192.168.1.20:3437', '127.0.0.1:8437', false],
    ['http://192.168.1.20:3437', '192.168.1.20:8437', false],
    ['http://10.0.0.5:3437', '10.0.0.5:8437', true],
    ['http://[fe80::1]:3437', '[::1]:8437', true],
    ['http://127.200.0.1', '127.0.0.1:8437', true],
    ['http://[::ffff:127.0.0.1]', 'localhost:8437', true],
    ['http://[::ffff:203.0.113.1]', 'localhost:8437', false],
    ['http://198.51.100.4', 'localhost:8437', true],
    ['http://203.0.113.9', 'localhost:8437', false],
    ['http://app.localhost:3437', 'localhost:8437', true],
    ['http://evil.example', 'localhost:8437', false],
    ['http://evil.example', 'evil.example:8437', false],
    ['http://localhost:3437', 'evil.example:8437', false],
    ['null', 'localhost:8437', false],
    ['not a url', 'localhost:8437', false],
    ['http://localhost', undefined, false],
  ])('Origin %s, Host %s → %s', (origin, host, expected) => {
    expect(policy.allows(origin, host)).toBe(expected);
  });
});
