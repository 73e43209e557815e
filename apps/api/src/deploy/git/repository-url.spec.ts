import { githubCoordinates, mayCarryToken, sameRepositoryKey, serviceNameFrom } from './repository-url';

describe('repository URLs', () => {
  it.each([
    ['https://github.com/acme/weather', 'github.com', { owner: 'acme', repo: 'weather' }],
    ['https://github.com/acme/weather.git', 'github.com', { owner: 'acme', repo: 'weather' }],
    ['https://GitHub.com/acme/weather/', 'github.com', { owner: 'acme', repo: 'weather' }],
    ['http://127.0.0.1:8080/acme/my.server.git', '127.0.0.1:8080', { owner: 'acme', repo: 'my.server' }],
    ['https://gitlab.com/acme/weather', 'github.com', null],
    ['https://github.com/acme/weather/tree/main', 'github.com', null],
    ['not a url', 'github.com', null],
  ])('githubCoordinates(%s, %s)', (url, host, expected) => {
    expect(githubCoordinates(url, host)).toEqual(expected);
  });

  it.each([
    ['https://github.com/Acme/Weather.git', 'github.com/acme/weather'],
    ['https://github.com/acme/weather/', 'github.com/acme/weather'],
    ['git://github.com/acme/weather.git', 'github.com/acme/weather'],
  ])('sameRepositoryKey(%s)', (url, key) => {
    expect(sameRepositoryKey(url)).toBe(key);
  });

  it.each([
    ['https://github.com/acme/Weather_Server.git', 'weather-server'],
    ['https://github.com/acme/mcp.tools', 'mcp-tools'],
    ['https://github.com/acme/---', null],
  ])('serviceNameFrom(%s)', (url, name) => {
    expect(serviceNameFrom(url)).toBe(name);
  });

  it.each([
    ['https://github.com/a/b', true],
    ['http://127.0.0.1:9418/a/b', true],
    ['http://localhost/a/b', true],
    ['http://git.example.com/a/b', false],
  ])('mayCarryToken(%s) → %s', (url, allowed) => {
    expect(mayCarryToken(url)).toBe(allowed);
  });
});
