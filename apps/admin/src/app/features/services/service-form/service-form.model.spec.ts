import { serviceView } from '../../../testing/fixtures';
import {
  createBodyFrom,
  emptyServiceForm,
  formValueFromService,
  parseArgs,
  placeApiErrors,
  updateBodyFrom,
  updateRestartsService,
} from './service-form.model';

describe('parseArgs', () => {
  it.each([
    ['', []],
    ['stdio', ['stdio']],
    ['-y\n@modelcontextprotocol/server-everything\n\n', ['-y', '@modelcontextprotocol/server-everything']],
    ['  --port 8080  \r\n--verbose', ['--port 8080', '--verbose']],
  ])('%j → %j', (text, expected) => expect(parseArgs(text)).toEqual(expected));
});

describe('createBodyFrom', () => {
  it('sends every setting of the form, with args split per line and no environment when empty', () => {
    const value = emptyServiceForm();
    value.name = ' everything ';
    value.process.command = 'npx';
    value.process.args = '-y\n@modelcontextprotocol/server-everything';

    expect(createBodyFrom(value)).toEqual({
      name: 'everything',
      transport: 'stdio',
      process: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything'],
        cwd: null,
        port: null,
        isolation: 'shared',
        autoRestart: true,
        memoryLimitMb: null,
        maxRestarts: 5,
        restartWindowSec: 300,
        healthCheckIntervalSec: 30,
        maxSessions: 20,
        sessionIdleTimeoutSec: 900,
        limits: { memoryMb: null, cpuPercent: null, maxProcesses: null, maxOpenFiles: null, cpuSeconds: null, addressSpaceMb: null },
        sandbox: { user: null, filesystem: null },
      },
      proxy: {
        cache: true,
        responseMode: 'auto',
        auth: 'apiKey',
        driftPolicy: 'warn',
        toolLimits: {},
        rateLimit: 100,
        toolResultTtlSec: 0,
        requestTimeoutSec: 60,
      },
    });
  });

  it('adds the environment, a custom path and start when given', () => {
    const value = emptyServiceForm();
    value.name = 'weather';
    value.process.command = 'node';
    value.proxy.path = '/mcp/wx';
    value.environment = [
      { key: 'API_TOKEN', value: 's3cret' },
      { key: '  ', value: 'ignored: no name' },
    ];
    value.start = true;

    const body = createBodyFrom(value);
    expect(body.environment).toEqual({ API_TOKEN: 's3cret' });
    expect(body.proxy?.path).toBe('/mcp/wx');
    expect(body.start).toBe(true);
  });

  it('leaves out numbers the user cleared, so the API default applies', () => {
    const value = emptyServiceForm();
    value.process.maxRestarts = null;
    value.proxy.rateLimit = null;
    const body = createBodyFrom(value);
    expect(body.process).not.toHaveProperty('maxRestarts');
    expect(body.proxy).not.toHaveProperty('rateLimit');
  });
});

describe('updateBodyFrom', () => {
  const original = serviceView({ environment: { API_TOKEN: '********', REGION: '********' } });

  it('sends nothing when nothing changed, and never the masked environment', () => {
    const value = formValueFromService(original);
    expect(value.environment).toEqual([
      { key: 'API_TOKEN', value: '' },
      { key: 'REGION', value: '' },
    ]);
    const body = updateBodyFrom(original, value, false);
    expect(body).toEqual({});
    expect(updateRestartsService(body)).toBe(false);
  });

  it('edits tool limits as "tool: calls per minute" lines, and sends them only when they changed', () => {
    const limited = { ...original, proxy: { ...original.proxy, toolLimits: { 'write_*': 10 } } };
    const value = formValueFromService(limited);
    expect(value.proxy.toolLimits).toBe('write_*: 10');
    expect(updateBodyFrom(limited, value, false)).toEqual({});
    value.proxy.toolLimits = 'write_*: 10\n\n  echo : 3 ';
    expect(updateBodyFrom(limited, value, false)).toEqual({ proxy: { toolLimits: { 'write_*': 10, echo: 3 } } });
    value.proxy.toolLimits = '';
    expect(updateBodyFrom(limited, value, false)).toEqual({ proxy: { toolLimits: {} } });
  });

  it('sends only the changed proxy fields (no restart)', () => {
    const value = formValueFromService(original);
    value.proxy.rateLimit = 30;
    value.proxy.cache = true;
    const body = updateBodyFrom(original, value, false);
    expect(body).toEqual({ proxy: { rateLimit: 30, cache: true } });
    expect(updateRestartsService(body)).toBe(false);
  });

  it('sends the call history setting only when it changed, and in a new service only when on', () => {
    const value = formValueFromService(original);
    expect(value.callLogPayloads).toBe(false);
    expect(updateBodyFrom(original, value, false)).toEqual({});
    value.callLogPayloads = true;
    expect(updateBodyFrom(original, value, false)).toEqual({ callLog: { payloads: true } });
    const keeping = serviceView({ callLog: { payloads: true } });
    expect(formValueFromService(keeping).callLogPayloads).toBe(true);
    expect(createBodyFrom({ ...emptyServiceForm(), name: 'x', callLogPayloads: true }).callLog).toEqual({ payloads: true });
    expect(createBodyFrom({ ...emptyServiceForm(), name: 'x' }).callLog).toBeUndefined();
  });

  it('reads a service stored before auth modes as apiKey, and sends a switch to OAuth', () => {
    const value = formValueFromService(original);
    expect(value.proxy.auth).toBe('apiKey');
    value.proxy.auth = 'oauth';
    expect(updateBodyFrom(original, value, false)).toEqual({ proxy: { auth: 'oauth' } });
  });

  it('reads a service stored before tool pinning as "warn", and sends a switch to "block" alone (no restart)', () => {
    const value = formValueFromService(original);
    expect(value.proxy.driftPolicy).toBe('warn');
    value.proxy.driftPolicy = 'block';
    const body = updateBodyFrom(original, value, false);
    expect(body).toEqual({ proxy: { driftPolicy: 'block' } });
    expect(updateRestartsService(body)).toBe(false);
  });

  it('sends a switch to a warm pool with its sizes, and later only a changed size', () => {
    const value = formValueFromService(original);
    expect([value.process.poolMin, value.process.poolMax]).toEqual([2, 20]);
    value.process.isolation = 'pool';
    value.process.poolMin = 3;
    expect(updateBodyFrom(original, value, false)).toEqual({ process: { isolation: 'pool', pool: { min: 3, max: 20 } } });

    const pooled = { ...original, process: { ...original.process, isolation: 'pool' as const, pool: { min: 3, max: 20 } } };
    const edited = formValueFromService(pooled);
    expect(updateBodyFrom(pooled, edited, false)).toEqual({});
    edited.process.poolMax = 40;
    expect(updateBodyFrom(pooled, edited, false)).toEqual({ process: { pool: { min: 3, max: 40 } } });
  });

  it('sends only the changed process fields, compares args as lists, and flags the restart', () => {
    const value = formValueFromService(original);
    value.process.args = '@modelcontextprotocol/server-everything\nstdio';
    value.process.memoryLimitMb = 256;
    value.process.maxRestarts = 5;
    const body = updateBodyFrom(original, value, false);
    expect(body).toEqual({
      process: { args: ['@modelcontextprotocol/server-everything', 'stdio'], memoryLimitMb: 256 },
    });
    expect(updateRestartsService(body)).toBe(true);
  });

  it('sends limits and sandbox settings only when one changed; "default" goes as null', () => {
    const withLimits = serviceView({
      process: {
        ...serviceView().process,
        limits: { memoryMb: 256, cpuPercent: null, maxProcesses: null, maxOpenFiles: null, cpuSeconds: null, addressSpaceMb: null },
        sandbox: { user: 'auto', filesystem: null },
      },
    });
    const unchanged = formValueFromService(withLimits);
    expect(unchanged.process.sandboxFilesystem).toBe('default');
    expect(updateBodyFrom(withLimits, unchanged, false)).toEqual({});

    const value = formValueFromService(withLimits);
    value.process.limits.maxProcesses = 64;
    value.process.sandboxFilesystem = 'bubblewrap';
    value.process.sandboxUser = 'default';
    const body = updateBodyFrom(withLimits, value, false);
    expect(body).toEqual({
      process: {
        limits: { memoryMb: 256, cpuPercent: null, maxProcesses: 64, maxOpenFiles: null, cpuSeconds: null, addressSpaceMb: null },
        sandbox: { user: null, filesystem: 'bubblewrap' },
      },
    });
    expect(updateRestartsService(body)).toBe(true);
  });

  it('treats a service stored before limits existed as all defaults', () => {
    expect(updateBodyFrom(original, formValueFromService(original), false)).toEqual({});
  });

  it('replaces the environment only when asked, with the values the user entered again', () => {
    const value = formValueFromService(original);
    value.environment = [
      { key: 'API_TOKEN', value: 'new-secret' },
      { key: 'REGION', value: 'eu' },
    ];
    expect(updateBodyFrom(original, value, false)).toEqual({});
    expect(updateBodyFrom(original, value, true)).toEqual({
      environment: { API_TOKEN: 'new-secret', REGION: 'eu' },
    });
  });

  it('can clear every variable', () => {
    const value = formValueFromService(original);
    value.environment = [];
    expect(updateBodyFrom(original, value, true)).toEqual({ environment: {} });
  });

  it('leaves out a blank command (a service deployed from a repository has none)', () => {
    const deployed = serviceView({
      repository: { url: 'https://github.com/user/repo', branch: 'main', entryPoint: 'index.js' },
      process: { ...serviceView().process, command: null, args: [] },
    });
    const value = formValueFromService(deployed);
    expect(value.process.command).toBe('');
    expect(updateBodyFrom(deployed, value, false)).toEqual({});
  });

  it('sends a transport change', () => {
    const value = formValueFromService(original);
    value.transport = 'http';
    expect(updateBodyFrom(original, value, false)).toEqual({ transport: 'http' });
  });
});

describe('placeApiErrors', () => {
  const paths = ['name', 'transport', 'process.command', 'process.maxRestarts', 'proxy.rateLimit'];

  it('puts each message next to the field it names, the rest above the form', () => {
    const placed = placeApiErrors(
      [
        'repository or process.command is required',
        'process.command should not be empty',
        'process.maxRestarts must not be less than 0',
        'environment.1A is not a valid variable name',
        'proxy.rateLimit must not be greater than 1000000',
        'A service named "everything" already exists',
      ],
      paths,
    );
    expect(placed.byField).toEqual({
      'process.command': ['repository or process.command is required', 'process.command should not be empty'],
      'process.maxRestarts': ['process.maxRestarts must not be less than 0'],
      environment: ['environment.1A is not a valid variable name'],
      'proxy.rateLimit': ['proxy.rateLimit must not be greater than 1000000'],
    });
    expect(placed.general).toEqual(['A service named "everything" already exists']);
  });

  it('reads a field named with a colon', () => {
    expect(placeApiErrors(['name: property name should not exist'], paths).byField).toEqual({
      name: ['name: property name should not exist'],
    });
  });

  it('does not mistake a longer path for a shorter one', () => {
    expect(placeApiErrors(['process.commander is odd'], paths).general).toEqual(['process.commander is odd']);
  });
});

describe('remote services in the form', () => {
  it('sends the remote settings with the headers parsed from "Name: value" lines, and no command', () => {
    const value = emptyServiceForm();
    value.name = 'far';
    value.transport = 'remote';
    value.remote = {
      ...value.remote,
      url: ' https://mcp.example.com/mcp ',
      protocol: 'sse',
      headers: 'Authorization: Bearer ${TOKEN}\n\nX-Tenant:  acme ',
      allowInsecureHttp: false,
    };

    const body = createBodyFrom(value);
    expect(body.remote).toEqual({
      url: 'https://mcp.example.com/mcp',
      protocol: 'sse',
      headers: { Authorization: 'Bearer ${TOKEN}', 'X-Tenant': 'acme' },
      allowInsecureHttp: false,
      auth: 'headers',
    });
    expect(body.process?.command).toBeUndefined();
  });

  it('edits a remote service: unchanged settings are not sent, a changed URL is (and restarts it), masked headers go back as shown', () => {
    const service = serviceView({
      transport: 'remote',
      remote: {
        url: 'https://a.example/mcp',
        protocol: 'streamable-http',
        headers: { Authorization: 'Bearer ${TOKEN}', 'X-Key': '********' },
        allowInsecureHttp: false,
        auth: 'headers',
        oauth: null,
      },
    });
    const value = formValueFromService(service);
    expect(value.remote.headers).toBe('Authorization: Bearer ${TOKEN}\nX-Key: ********');
    expect(updateBodyFrom(service, value, false).remote).toBeUndefined();

    value.remote.url = 'https://b.example/mcp';
    const body = updateBodyFrom(service, value, false);
    expect(body.remote).toEqual({
      url: 'https://b.example/mcp',
      protocol: 'streamable-http',
      headers: { Authorization: 'Bearer ${TOKEN}', 'X-Key': '********' },
      allowInsecureHttp: false,
      auth: 'headers',
    });
    expect(updateRestartsService(body)).toBe(true);
  });
});
