import { MASKED_VALUE } from '@mcp-proxy/shared/dto';
import { RemoteSettings, RemoteSettingsError, remoteView } from './remote-settings';
import type { ServiceRemoteEntity } from './service-remote.entity';

const row = (overrides: Partial<ServiceRemoteEntity> = {}): ServiceRemoteEntity => ({
  serviceId: 's1',
  url: 'https://mcp.example.com/mcp',
  protocol: 'streamable-http',
  allowInsecureHttp: false,
  headersSealed: '',
  auth: 'headers',
  oauthSealed: null,
  ...overrides,
});

describe('RemoteSettings.resolve', () => {
  it('fills ${NAME} references from the environment, and keeps the filled values as secrets to mask', () => {
    const settings = RemoteSettings.resolve(
      row(),
      { Authorization: 'Bearer ${TOKEN}', 'X-Pair': '${A}:${B}' },
      { TOKEN: 'tok-123456', A: 'left', B: 'right' },
    );
    expect(settings.headers).toEqual({ Authorization: 'Bearer tok-123456', 'X-Pair': 'left:right' });
    expect(settings.secretValues).toContain('Bearer tok-123456');
    expect(settings.url.href).toBe('https://mcp.example.com/mcp');
  });

  it('refuses a reference to a variable the service does not have, naming both', () => {
    expect(() => RemoteSettings.resolve(row(), { Authorization: 'Bearer ${MISSING}' }, {})).toThrow(
      new RemoteSettingsError("remote.headers.Authorization references ${MISSING}, which is not in the service's environment"),
    );
  });

  it('refuses a stored http:// URL to another host without the opt-in', () => {
    expect(() => RemoteSettings.resolve(row({ url: 'http://mcp.example.com/mcp' }), {}, {})).toThrow(RemoteSettingsError);
    expect(RemoteSettings.resolve(row({ url: 'http://mcp.example.com/mcp', allowInsecureHttp: true }), {}, {}).url.protocol).toBe('http:');
  });
});

describe('remoteView', () => {
  it.each([
    ['Bearer ${TOKEN}', 'Bearer ${TOKEN}'],
    ['${TOKEN}', '${TOKEN}'],
    ['Bearer sk-live-123', MASKED_VALUE],
    ['sk-live-${SUFFIX}', MASKED_VALUE],
    ['acme', MASKED_VALUE],
  ])('%j is shown as %j', (value, shown) => {
    expect(remoteView(row(), { Authorization: value }).headers).toEqual({ Authorization: shown });
  });
});

describe('remoteView of an oauth remote', () => {
  it('shows the connection and client id, the client secret masked', () => {
    const view = remoteView(row({ auth: 'oauth' }), {}, { connection: 'shared', clientId: 'proxy', clientSecret: 's3cret-value' });
    expect(view).toMatchObject({
      auth: 'oauth',
      oauth: { connection: 'shared', clientId: 'proxy', clientSecret: MASKED_VALUE, scopes: null },
    });
  });

  it('keeps the client secret among the values the service log masks', () => {
    const settings = RemoteSettings.resolve(row({ auth: 'oauth' }), {}, {}, { connection: 'perUser', clientSecret: 's3cret-value' });
    expect(settings.secretValues).toContain('s3cret-value');
    expect(settings.oauth?.connection).toBe('perUser');
  });
});
