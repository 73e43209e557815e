import { serviceView } from '../../testing/fixtures';
import {
  BRANCH_PATTERN,
  ENTRY_POINT_PATTERN,
  REPOSITORY_URL_PATTERN,
  deployBodyFrom,
  deployFormFromService,
  emptyDeployForm,
  serviceNameFromUrl,
} from './deploy-form.model';

describe('serviceNameFromUrl', () => {
  it.each([
    ['https://github.com/acme/weather', 'weather'],
    ['https://github.com/acme/Weather-Server.git', 'weather-server'],
    ['http://127.0.0.1:18555/acme/weather.git/', 'weather'],
    ['https://github.com/acme/my_mcp.server', 'my-mcp-server'],
    ['https://github.com/', null],
    ['not a url', null],
  ])('%s → %s', (url, expected) => expect(serviceNameFromUrl(url)).toBe(expected));
});

describe('the patterns the API applies', () => {
  it.each([
    ['https://github.com/acme/weather', true],
    ['http://127.0.0.1:8080/acme/weather.git', true],
    ['https://user:token@github.com/acme/weather', false],
    ['git@github.com:acme/weather.git', false],
    ['https://github.com', false],
  ])('repository URL %s: %s', (url, valid) => expect(REPOSITORY_URL_PATTERN.test(url)).toBe(valid));

  it.each([
    ['main', true],
    ['release/1.2', true],
    ['-delete', false],
    ['with space', false],
  ])('branch %s: %s', (branch, valid) => expect(BRANCH_PATTERN.test(branch)).toBe(valid));

  it.each([
    ['dist/index.js', true],
    ['/etc/passwd', false],
    ['../outside.js', false],
  ])('entry point %s: %s', (path, valid) => expect(ENTRY_POINT_PATTERN.test(path)).toBe(valid));
});

describe('deployBodyFrom', () => {
  it('sends only the URL when nothing else is filled in', () => {
    expect(deployBodyFrom({ ...emptyDeployForm(), repositoryUrl: ' https://github.com/acme/weather ' })).toEqual({
      repositoryUrl: 'https://github.com/acme/weather',
    });
  });

  it('sends branch, name, entry point, install scripts, the replace confirmation and variables when given', () => {
    expect(
      deployBodyFrom({
        repositoryUrl: 'https://github.com/acme/weather',
        branch: 'release',
        serviceName: 'weather-beta',
        entryPoint: 'dist/server.js',
        allowScripts: true,
        replace: true,
        environment: [
          { key: 'API_KEY', value: 's3cret' },
          { key: ' ', value: 'ignored' },
        ],
      }),
    ).toEqual({
      repositoryUrl: 'https://github.com/acme/weather',
      branch: 'release',
      serviceName: 'weather-beta',
      entryPoint: 'dist/server.js',
      allowScripts: true,
      replace: true,
      environment: { API_KEY: 's3cret' },
    });
  });
});

describe('deployFormFromService', () => {
  it("fills in a redeploy with the service's repository and options, never its variables", () => {
    const service = serviceView({
      name: 'weather',
      repository: { url: 'https://github.com/acme/weather', branch: 'main', entryPoint: null, allowScripts: true },
      environment: { API_KEY: '********' },
    });
    expect(deployFormFromService(service)).toEqual({
      repositoryUrl: 'https://github.com/acme/weather',
      branch: 'main',
      serviceName: 'weather',
      entryPoint: '',
      allowScripts: true,
      replace: false,
      environment: [],
    });
  });
});
