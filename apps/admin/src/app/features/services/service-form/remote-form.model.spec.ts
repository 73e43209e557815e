import type { RemoteConfigView } from '@mcp-proxy/shared/dto';
import { serviceView } from '../../../testing/fixtures';
import { hasStoredSecret, remoteFormFromView } from './remote-form.model';
import { createBodyFrom, emptyServiceForm, formValueFromService, updateBodyFrom } from './service-form.model';

const OAUTH_REMOTE: RemoteConfigView = {
  url: 'https://mcp.example.com/mcp',
  protocol: 'streamable-http',
  headers: {},
  allowInsecureHttp: false,
  auth: 'oauth',
  oauth: { connection: 'shared', clientId: 'proxy-client', clientSecret: '********', scopes: ['openid', 'mcp:tools'] },
};

describe('remote sign-in in the service form', () => {
  it('creates an OAuth remote with a pre-registered client and scopes', () => {
    const value = emptyServiceForm();
    value.name = 'notes';
    value.transport = 'remote';
    value.remote = {
      ...value.remote,
      url: 'https://mcp.example.com/mcp',
      auth: 'oauth',
      connection: 'shared',
      clientId: ' proxy-client ',
      clientSecret: 's3cret',
      scopes: 'openid, mcp:tools  offline_access',
    };
    expect(createBodyFrom(value).remote).toEqual({
      url: 'https://mcp.example.com/mcp',
      protocol: 'streamable-http',
      headers: {},
      allowInsecureHttp: false,
      auth: 'oauth',
      oauth: { connection: 'shared', clientId: 'proxy-client', clientSecret: 's3cret', scopes: ['openid', 'mcp:tools', 'offline_access'] },
    });
  });

  it('creates an OAuth remote with no client: only the connection is sent (document or registration)', () => {
    const value = emptyServiceForm();
    value.transport = 'remote';
    value.remote = { ...value.remote, url: 'https://mcp.example.com/mcp', auth: 'oauth', clientSecret: 'ignored without a client id' };
    expect(createBodyFrom(value).remote?.oauth).toEqual({ connection: 'perUser' });
  });

  it('never puts the stored secret in the form, and sends nothing when nothing changed', () => {
    const service = serviceView({ transport: 'remote', remote: OAUTH_REMOTE });
    const value = formValueFromService(service);
    expect(value.remote).toMatchObject({
      auth: 'oauth',
      connection: 'shared',
      clientId: 'proxy-client',
      clientSecret: '',
      scopes: 'openid mcp:tools',
    });
    expect(hasStoredSecret(OAUTH_REMOTE, value.remote.clientId)).toBe(true);
    expect(updateBodyFrom(service, value, false).remote).toBeUndefined();
  });

  it('keeps the stored secret (sent masked) when another field changes, and replaces it when one is typed', () => {
    const service = serviceView({ transport: 'remote', remote: OAUTH_REMOTE });
    const value = formValueFromService(service);
    value.remote.connection = 'perUser';
    expect(updateBodyFrom(service, value, false).remote?.oauth).toEqual({
      connection: 'perUser',
      clientId: 'proxy-client',
      clientSecret: '********',
      scopes: ['openid', 'mcp:tools'],
    });
    value.remote.clientSecret = 'new-secret';
    expect(updateBodyFrom(service, value, false).remote?.oauth?.clientSecret).toBe('new-secret');
  });

  it('does not carry the stored secret over to another client id', () => {
    const service = serviceView({ transport: 'remote', remote: OAUTH_REMOTE });
    const value = formValueFromService(service);
    value.remote.clientId = 'other-client';
    expect(hasStoredSecret(OAUTH_REMOTE, value.remote.clientId)).toBe(false);
    expect(updateBodyFrom(service, value, false).remote?.oauth).toEqual({
      connection: 'shared',
      clientId: 'other-client',
      scopes: ['openid', 'mcp:tools'],
    });
  });

  it('switching back to headers sends no oauth settings', () => {
    const service = serviceView({ transport: 'remote', remote: OAUTH_REMOTE });
    const value = formValueFromService(service);
    value.remote.auth = 'headers';
    value.remote.headers = 'X-Key: ${KEY}';
    const body = updateBodyFrom(service, value, false).remote;
    expect(body).toEqual({
      url: 'https://mcp.example.com/mcp',
      protocol: 'streamable-http',
      headers: { 'X-Key': '${KEY}' },
      allowInsecureHttp: false,
      auth: 'headers',
    });
  });

  it('a service with no remote yet starts with no sign-in', () => {
    expect(remoteFormFromView(null)).toMatchObject({ auth: 'headers', connection: 'perUser', clientId: '', clientSecret: '', scopes: '' });
  });
});
