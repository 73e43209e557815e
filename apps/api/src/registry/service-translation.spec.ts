import { parseContainerRun } from '../supervisor/runtimes/container-command';
import { parseServerList, parseServerResponse, ServerRecordError } from './server-record';
import { ContainerEngineState, defaultServiceName, describeOptions, translate } from './service-translation';
import { entry, everythingServer, imageServer, remoteServer, unsupportedServer, weatherServer } from './testing/sample-records';

const NO_ENGINE: ContainerEngineState = { engine: null, reason: 'docker is installed but its daemon does not answer' };
const DOCKER: ContainerEngineState = { engine: 'docker', reason: null };

describe('a server.json record turned into a service', () => {
  const everything = parseServerResponse(entry(everythingServer('1.2.0', '2026.8.31')));
  const weather = parseServerResponse(entry(weatherServer('0.5.0')));
  const image = parseServerResponse(entry(imageServer()));
  const remote = parseServerResponse(entry(remoteServer('https://{tenant}.tools.example.com/mcp')));

  it('npm: npx -y <identifier>@<version> with its arguments; variables go to the environment', () => {
    const result = translate(everything, 'package:0', 'everything', { 'env.EVERYTHING_TOKEN': 's3cret-token' }, NO_ENGINE);
    expect(result.problems).toEqual([]);
    expect(result.service).toEqual({
      name: 'everything',
      transport: 'stdio',
      process: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31', 'stdio'] },
      environment: { EVERYTHING_TOKEN: 's3cret-token', EVERYTHING_REGION: 'eu' },
    });
    // Secrets are never among the values kept for updates.
    expect(result.inputs).toEqual({});
  });

  it('pypi: uvx <identifier>==<version>; named, repeated and boolean arguments in order', () => {
    const result = translate(
      weather,
      'package:0',
      'weather',
      { 'env.WEATHER_API_KEY': 'k', 'arg.package.1': 'Berlin\nParis', 'arg.package.2': 'true', 'arg.package.0': 'fahrenheit' },
      NO_ENGINE,
    );
    expect(result.problems).toEqual([]);
    expect(result.service.process).toEqual({
      command: 'uvx',
      args: ['weather-mcp-server==0.5.0', '--units', 'fahrenheit', 'Berlin', 'Paris', '--verbose'],
    });
    expect(result.inputs).toEqual({ 'arg.package.0': 'fahrenheit', 'arg.package.1': 'Berlin\nParis', 'arg.package.2': 'true' });
  });

  it.each([
    [{}, ['values.env.WEATHER_API_KEY (WEATHER_API_KEY) is required', 'values.arg.package.1 (city) is required']],
    [
      { 'env.WEATHER_API_KEY': 'k', 'arg.package.1': 'Rome', 'arg.package.0': 'kelvin' },
      ['values.arg.package.0 (--units) must be one of celsius, fahrenheit'],
    ],
    [
      { 'env.WEATHER_API_KEY': 'k', 'arg.package.1': 'Rome', 'arg.package.2': 'yes' },
      ['values.arg.package.2 (--verbose) must be true or false'],
    ],
  ])('refuses missing or wrong values, naming each field (%j)', (values, problems) => {
    expect(translate(weather, 'package:0', 'weather', values, NO_ENGINE).problems).toEqual(problems);
  });

  it('oci: marked not installable, with the reason, when no container engine is reachable', () => {
    const [option] = describeOptions(image, NO_ENGINE);
    expect(option).toMatchObject({
      kind: 'oci',
      installable: false,
      pinned: true,
      reason: 'no container engine is reachable here: docker is installed but its daemon does not answer',
    });
    expect(translate(image, 'package:0', 'tools', {}, NO_ENGINE).problems).toEqual([
      'option package:0 cannot be installed: no container engine is reachable here: docker is installed but its daemon does not answer',
    ]);
  });

  it('oci with an engine: run -i --rm, runtime arguments, the variables passed by name only, then the image', () => {
    const result = translate(image, 'package:0', 'tools', { 'arg.runtime.0.source': '/srv/share', 'env.IMAGE_TOKEN': 'tok' }, DOCKER);
    expect(result.problems).toEqual([]);
    expect(result.service.process).toEqual({
      command: 'docker',
      args: [
        'run',
        '-i',
        '--rm',
        '--mount',
        'type=bind,src=/srv/share,dst=/data',
        '-e',
        'IMAGE_TOKEN',
        'ghcr.io/example/image-tools:2.0.0',
      ],
    });
    expect(JSON.stringify(result.service.process)).not.toContain('tok');
    // What the supervisor makes of it at start (it adds --name and the limits itself).
    expect(parseContainerRun('docker', result.service.process?.args ?? [])).toMatchObject({
      image: 'ghcr.io/example/image-tools:2.0.0',
      args: [],
    });
  });

  it('remote: the URL variables filled in; a secret header part sealed in the environment and referenced', () => {
    const result = translate(remote, 'remote:0', 'hosted', { 'url.tenant': 'acme', 'header.Authorization.token': 'tok-123' }, NO_ENGINE);
    // The first remote's URL has no variables in this record, so tenant is not a field of it.
    expect(result.problems).toEqual([]);
    expect(result.service).toEqual({
      name: 'hosted',
      transport: 'remote',
      remote: {
        url: 'https://{tenant}.tools.example.com/mcp',
        protocol: 'streamable-http',
        headers: { Authorization: 'Bearer ${MCP_HEADER_AUTHORIZATION_TOKEN}', 'X-Region': 'eu' },
      },
      environment: { MCP_HEADER_AUTHORIZATION_TOKEN: 'tok-123' },
    });
    const sse = translate(remote, 'remote:1', 'hosted', { 'url.tenant': 'acme' }, NO_ENGINE);
    expect(sse.service.remote).toEqual({ url: 'https://acme.example.com/sse', protocol: 'sse', headers: {} });
    expect(sse.inputs).toEqual({ 'url.tenant': 'acme' });
  });

  it('lists the fields of each option: required, secret, defaults and choices as the record says', () => {
    const [npm] = describeOptions(everything, NO_ENGINE);
    expect(npm.fields).toEqual([
      expect.objectContaining({ key: 'env.EVERYTHING_TOKEN', kind: 'environment', required: true, secret: true, default: null }),
      expect.objectContaining({ key: 'env.EVERYTHING_REGION', required: false, secret: false, default: 'eu', choices: ['eu', 'us'] }),
    ]);
    expect(npm.preview).toBe('npx -y @modelcontextprotocol/server-everything@2026.8.31 stdio');
    expect(describeOptions(remote, NO_ENGINE)[0].fields.map((field) => [field.key, field.secret])).toEqual([
      ['header.Authorization.token', true],
      ['header.X-Region', false],
    ]);
  });

  it('says why the kinds it cannot run are not installable', () => {
    const options = describeOptions(parseServerResponse(entry(unsupportedServer())), DOCKER);
    expect(options.map((option) => [option.installable, option.reason])).toEqual([
      [false, 'nuget packages cannot be run by this proxy (npm, pypi and oci can)'],
      [false, expect.stringContaining('the package serves streamable-http itself')],
      [false, expect.stringContaining('it takes a secret on the command line (--api-key)')],
    ]);
  });

  it.each([
    ['io.github.modelcontextprotocol/server-everything', 'server-everything'],
    ['com.example/Weather_Server.v2', 'weather-server-v2'],
    ['com.example/all', 'mcp-all'],
  ])('names the service after the entry: %s → %s', (name, expected) => {
    expect(defaultServiceName(name)).toBe(expected);
  });
});

describe('reading registry answers', () => {
  it('keeps the readable entries of a page, counts the others and passes the cursor on', () => {
    const page = parseServerList({
      servers: [entry(weatherServer('1.0.0')), { server: { name: 'broken' } }, entry(imageServer())],
      metadata: { nextCursor: 'io.github.example/image-tools:2.0.0', count: 3 },
    });
    expect(page.records.map((record) => record.name)).toEqual(['io.github.example/weather-mcp', 'io.github.example/image-tools']);
    expect(page).toMatchObject({
      skipped: 1,
      firstProblem: 'server.version is missing or not a string',
      nextCursor: 'io.github.example/image-tools:2.0.0',
    });
  });

  it('reads the official metadata and refuses what is not a record', () => {
    expect(parseServerResponse(entry(weatherServer('1.0.0'), { isLatest: false, status: 'deprecated' })).official).toMatchObject({
      status: 'deprecated',
      isLatest: false,
    });
    expect(() => parseServerResponse({ name: 'flat' })).toThrow(ServerRecordError);
    expect(() => parseServerList({ items: [] })).toThrow('the answer has no "servers" list');
  });
});
