import { JwtService } from '@nestjs/jwt';
import type { AppSecrets } from '../config/secrets';
import { ApiKey } from './api-key';
import { CredentialCache } from './credential-cache';
import { CredentialRegistry, CredentialVerifiers } from './credential-registry';
import type { Principal, Verified } from './principal';
import { SessionTokens } from './session-tokens';
import type { UiSessionsService } from './ui-sessions.service';

const API_KEY = 'the-api-key-of-this-proxy';
const secrets: AppSecrets = { apiKey: API_KEY, jwtSecret: 'a-jwt-secret-for-tests', encryptionKey: Buffer.alloc(32) };
const tokenOf = (id: string): Principal => ({ kind: 'client', id, role: 'viewer' });

/** The registry with stand-ins for the feature verifiers and the session rows; each records what it was asked. */
function setUp(slowClientTokens?: CredentialVerifiers['clientTokens']) {
  const asked: string[] = [];
  const clientTokens = new Map<string, Verified | null>();
  const oauthTokens = new Map<string, Verified | null>();
  const openSessions = new Set<string>();
  const users = new Map<string, Principal>();
  const verifiers: CredentialVerifiers = {
    users: {
      authenticate: async () => null,
      principalFor: async (userId) => users.get(userId) ?? null,
    },
    clientTokens: slowClientTokens ?? {
      verify: async (credential) => (asked.push(`client ${credential}`), clientTokens.get(credential) ?? null),
    },
    oauthAccessTokens: { verify: async (credential) => (asked.push(`oauth ${credential}`), oauthTokens.get(credential) ?? null) },
  };
  const sessions = { isOpen: async (id: string) => openSessions.has(id) } as unknown as UiSessionsService;
  const jwt = new JwtService({ secret: secrets.jwtSecret });
  const sessionTokens = new SessionTokens(jwt);
  const cache = new CredentialCache();
  const registry = new CredentialRegistry(new ApiKey(secrets), sessionTokens, sessions, verifiers, cache);
  return { registry, cache, asked, clientTokens, oauthTokens, openSessions, users, sessionTokens };
}

describe('CredentialRegistry', () => {
  it('knows the API key without asking anyone, and keeps no copy of it', async () => {
    const { registry, cache, asked } = setUp();
    expect(await registry.verify(API_KEY)).toEqual({ kind: 'admin', id: 'admin', role: 'admin' });
    expect(asked).toEqual([]);
    expect(cache.size).toBe(0);
  });

  it('asks client tokens before OAuth, and stops at the first that knows the credential', async () => {
    const { registry, asked, clientTokens, oauthTokens } = setUp();
    clientTokens.set('mcpt_1', { principal: tokenOf('client-token:1') });
    oauthTokens.set('jwt', { principal: tokenOf('oauth:g1') });
    expect(await registry.verify('mcpt_1')).toEqual(tokenOf('client-token:1'));
    expect(await registry.verify('jwt')).toEqual(tokenOf('oauth:g1'));
    expect(await registry.verify(undefined)).toBeNull();
    expect(asked).toEqual(['client mcpt_1', 'client jwt', 'oauth jwt']);
  });

  it('answers a second request from its cache, keyed by the hash, not the token', async () => {
    const { registry, cache, asked, clientTokens } = setUp();
    clientTokens.set('mcpt_1', { principal: tokenOf('client-token:1') });
    await registry.verify('mcpt_1');
    await registry.verify('mcpt_1');
    expect(asked).toEqual(['client mcpt_1']);
    expect(cache.get('mcpt_1')).toBeUndefined();
  });

  it('never keeps a refusal: a token refused once works as soon as it exists', async () => {
    const { registry, clientTokens } = setUp();
    expect(await registry.verify('mcpt_new')).toBeNull();
    clientTokens.set('mcpt_new', { principal: tokenOf('client-token:new') });
    expect(await registry.verify('mcpt_new')).toEqual(tokenOf('client-token:new'));
  });

  it('refuses a revoked token at once after the news, and verifyNow sees it even without news', async () => {
    const { registry, cache, clientTokens } = setUp();
    clientTokens.set('mcpt_1', { principal: tokenOf('client-token:1') });
    clientTokens.set('mcpt_2', { principal: tokenOf('client-token:2') });
    await registry.verify('mcpt_1');
    await registry.verify('mcpt_2');
    clientTokens.set('mcpt_1', null);
    cache.clear();
    expect(await registry.verify('mcpt_1')).toBeNull();
    clientTokens.set('mcpt_2', null);
    expect(await registry.verifyNow('mcpt_2')).toBeNull();
    expect(await registry.verify('mcpt_2')).toBeNull();
  });

  it('does not keep what a look-up found when a change was announced while it ran', async () => {
    let answer: (verified: Verified | null) => void = () => undefined;
    const slow = new Promise<Verified | null>((resolve) => (answer = resolve));
    const { registry, cache } = setUp({ verify: () => slow });
    const pending = registry.verify('mcpt_1');
    cache.clear();
    answer({ principal: tokenOf('client-token:1') });
    expect(await pending).toEqual(tokenOf('client-token:1'));
    expect(cache.size).toBe(0);
  });

  it('honours a session token while its row stands, with the user of now, until the token expires', async () => {
    const { registry, cache, openSessions, users, sessionTokens } = setUp();
    const adminToken = sessionTokens.sign({ sub: 'admin', kind: 'session', jti: 's1' }, 60);
    const userToken = sessionTokens.sign({ sub: 'u1', kind: 'user', jti: 's2' }, 60);
    expect(await registry.verify(adminToken)).toBeNull();
    openSessions.add('s1').add('s2');
    expect(await registry.verify(adminToken)).toEqual({ kind: 'session', id: 'session:s1', role: 'admin', sessionId: 's1' });
    expect(await registry.verify(userToken)).toBeNull();
    users.set('u1', { kind: 'user', id: 'user:u1', role: 'operator', label: 'ann' });
    expect(await registry.verify(userToken)).toEqual({ kind: 'user', id: 'user:u1', role: 'operator', label: 'ann', sessionId: 's2' });
    expect(cache.size).toBe(2);
    expect(await registry.verify(sessionTokens.sign({ sub: 'admin', kind: 'session', jti: 's1' }, -1))).toBeNull();
  });
});
