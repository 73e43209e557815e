import { randomBytes } from 'node:crypto';
import { MASKED_VALUE, RemoteConfigDto } from '@mcp-proxy/shared/dto';
import { SecretBox } from '../core/crypto/secret-box';
import { openRemoteOAuth, sealRemoteOAuth } from './remote-oauth-config';

const box = new SecretBox({ encryptionKey: randomBytes(32) });
const dto = (oauth: RemoteConfigDto['oauth'], auth: RemoteConfigDto['auth'] = 'oauth'): RemoteConfigDto => ({
  url: 'https://x.example/mcp',
  auth,
  oauth,
});

describe('sealRemoteOAuth', () => {
  it('seals the settings, the client secret with them, and opens them again', () => {
    const sealed = sealRemoteOAuth(box, dto({ connection: 'shared', clientId: 'c', clientSecret: 'secret-1', scopes: ['a'] }), null);
    expect(sealed).not.toContain('secret-1');
    expect(openRemoteOAuth(box, sealed)).toEqual({ connection: 'shared', clientId: 'c', clientSecret: 'secret-1', scopes: ['a'] });
  });

  it('keeps the stored secret when it comes back masked, and refuses a masked one with nothing to keep', () => {
    const before = sealRemoteOAuth(box, dto({ connection: 'shared', clientSecret: 'secret-1' }), null);
    const after = sealRemoteOAuth(box, dto({ connection: 'perUser', clientSecret: MASKED_VALUE }), before);
    expect(openRemoteOAuth(box, after)).toEqual({ connection: 'perUser', clientSecret: 'secret-1' });
    expect(() => sealRemoteOAuth(box, dto({ connection: 'shared', clientSecret: MASKED_VALUE }), null)).toThrow(
      'remote.oauth.clientSecret',
    );
  });

  it('stores nothing for header authentication', () => {
    expect(sealRemoteOAuth(box, dto({ connection: 'shared' }, 'headers'), null)).toBeNull();
  });
});
