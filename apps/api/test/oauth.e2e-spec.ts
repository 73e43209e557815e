import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocket } from 'ws';
import { OAuthTokensService } from '../src/oauth/oauth-tokens.service';
import { EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import {
  approveInBrowser,
  authorizeUrl,
  grantAccess,
  pkce,
  REDIRECT_URI,
  registerClient,
  TestOAuthProvider,
  refreshGrant,
  tokenRequest,
} from './support/oauth-flow';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

/**
 * OAuth 2.1 for remote clients that accept nothing else (Claude.ai, ChatGPT connectors): the proxy as resource server
 * and authorization server, driven by the SDK's own client auth helpers; then the rules an attacker would try to bend.
 */
describe('OAuth for MCP services', () => {
  let running: RunningApp;
  const clients: Client[] = [];

  const serverUrl = (service: string): URL => new URL(`${running.baseUrl}/mcp/${service}`);
  const mcpPost = (service: string, token: string | null, body: Record<string, unknown> = { method: 'tools/list' }, path = '') =>
    fetch(`${serverUrl(service)}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...body }),
    });

  /** The whole dance by hand (no SDK), for tests that then bend one step. Returns the tokens. */
  const manualGrant = (service: string, tools?: string[]) => grantAccess(running, serverUrl(service).href, tools);

  beforeAll(async () => {
    running = await startApp();
    const everything = { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] };
    await registerService(running, { name: 'remote', process: everything, proxy: { rateLimit: 0, auth: 'oauth' } });
    await registerService(running, { name: 'second', process: everything, proxy: { rateLimit: 0, auth: 'oauth' } });
    await registerService(running, { name: 'keyed', process: everything });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await running?.close();
  });

  it('an SDK client discovers from a 401, registers, is approved with PKCE, calls a tool, refreshes, and is refused once revoked', async () => {
    const provider = new TestOAuthProvider();
    const first = new StreamableHTTPClientTransport(serverUrl('remote'), { authProvider: provider });
    await expect(new Client({ name: 'oauth-e2e', version: '1.0.0' }).connect(first)).rejects.toThrow(/Unauthorized/);
    // Discovery found our authorization server, registration happened, and PKCE (S256) is in the URL.
    const authorizationUrl = provider.authorizationUrl as URL;
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${running.baseUrl}/oauth/authorize`);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('resource')).toBe(serverUrl('remote').href);
    expect(provider.clientInformation()?.client_id).toMatch(/^[0-9a-f-]{36}$/);

    const back = await approveInBrowser(running, authorizationUrl);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe(provider.stateValue);
    expect(back.searchParams.get('iss')).toBe(running.baseUrl);
    await first.finishAuth(back.searchParams.get('code') ?? '');
    const firstTokens = provider.tokens();
    expect(firstTokens?.refresh_token).toMatch(/^mcpr_/);

    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(serverUrl('remote'), { authProvider: provider }));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'over OAuth' } }))).toBe('Echo: over OAuth');

    // Refresh through the SDK: a new pair, the old refresh token spent.
    expect(await auth(provider, { serverUrl: serverUrl('remote') })).toBe('AUTHORIZED');
    const refreshed = provider.tokens();
    expect(refreshed?.access_token).not.toBe(firstTokens?.access_token);
    expect(refreshed?.refresh_token).not.toBe(firstTokens?.refresh_token);
    expect((await mcpPost('remote', refreshed?.access_token ?? '')).status).toBe(200);

    // Revocation (RFC 7009) ends the grant: its access token is refused at once.
    const revoked = await fetch(`${running.baseUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshed?.refresh_token ?? '', client_id: String(provider.clientInformation()?.client_id) }),
    });
    expect(revoked.status).toBe(200);
    const refused = await mcpPost('remote', refreshed?.access_token ?? '');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');

    // The grant and its revocation are in the audit log the portal shows; no token is.
    const audit = await eventually(async () => {
      const page = await running.api().get('/api/audit').query({ action: 'oauth.grant' }).set('X-API-Key', running.env.apiKey).expect(200);
      const actions = (page.body.items as { action: string }[]).map((item) => item.action);
      expect(actions).toEqual(expect.arrayContaining(['oauth.grant', 'oauth.grant.revoke']));
      return page;
    });
    expect(JSON.stringify(audit.body)).not.toContain(refreshed?.refresh_token ?? '-');
  }, 60_000);

  it('publishes metadata for oauth services only, and challenges with resource_metadata', async () => {
    const challenge = await mcpPost('remote', null);
    expect(challenge.status).toBe(401);
    const prm = `${running.baseUrl}/.well-known/oauth-protected-resource/mcp/remote`;
    expect(challenge.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${prm}"`);
    const metadata = await (await fetch(prm)).json();
    expect(metadata).toMatchObject({
      resource: serverUrl('remote').href,
      authorization_servers: [running.baseUrl],
      bearer_methods_supported: ['header'],
    });
    const server = (await (await fetch(`${running.baseUrl}/.well-known/oauth-authorization-server`)).json()) as { jwks_uri: string };
    expect(server).toMatchObject({
      issuer: running.baseUrl,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    });
    const jwks = (await (await fetch(server.jwks_uri)).json()) as { keys: unknown[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(JSON.stringify(jwks)).not.toMatch(/"d":/);

    // An apiKey service publishes nothing OAuth (some clients switch to OAuth when they see it).
    expect((await fetch(`${running.baseUrl}/.well-known/oauth-protected-resource/mcp/keyed`)).status).toBe(404);
    const keyed = await mcpPost('keyed', null);
    expect(keyed.headers.get('www-authenticate')).toBe('Bearer realm="mcp-proxy"');
    // The API key keeps working on an oauth service (scripts, the portal's try-it).
    const withKey = await fetch(serverUrl('remote'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': running.env.apiKey },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(withKey.status).toBe(200);
  });

  it('a token for one resource is refused by another, and by an apiKey service', async () => {
    const { access } = await manualGrant('remote');
    expect((await mcpPost('remote', access)).status).toBe(200);
    expect((await mcpPost('second', access)).status).toBe(401);
    expect((await mcpPost('keyed', access)).status).toBe(401);
    expect((await mcpPost('g/all', access)).status).toBe(401);
    // Its signature is checked: a tampered audience is no token at all.
    const [header, claims, signature] = access.split('.');
    const forged = JSON.parse(Buffer.from(claims, 'base64url').toString());
    forged.aud = serverUrl('second').href;
    expect((await mcpPost('second', `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`)).status).toBe(
      401,
    );
  }, 30_000);

  it('a grant restricted to echo sees only echo and gets a JSON-RPC error for other tools', async () => {
    const { access } = await manualGrant('remote', ['echo']);
    const client = new Client({ name: 'scoped', version: '1.0.0' });
    clients.push(client);
    await client.connect(
      new StreamableHTTPClientTransport(serverUrl('remote'), { requestInit: { headers: { authorization: `Bearer ${access}` } } }),
    );
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'allowed' } }))).toBe('Echo: allowed');
    await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toThrow(/403|not allowed/);

    // Step-up: over HTTP the refusal is a 403 insufficient_scope challenge, with the JSON-RPC error as body.
    const refused = await mcpPost('remote', access, { method: 'tools/call', params: { name: 'get-sum', arguments: { a: 1, b: 2 } } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(refused.headers.get('www-authenticate')).toContain(
      `resource_metadata="${running.baseUrl}/.well-known/oauth-protected-resource/mcp/remote"`,
    );
    expect(await refused.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: 'Tool "get-sum" is not allowed for this client' },
    });
  }, 30_000);

  describe('refuses what an attacker would try', () => {
    let clientId: string;
    const remote = (): string => serverUrl('remote').href;
    const base = (overrides: Record<string, string | undefined>) => ({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge_method: 'S256',
      resource: remote(),
      state: 'xyz',
      ...overrides,
    });

    beforeAll(async () => {
      clientId = await registerClient(running.baseUrl);
    });

    it('PKCE missing at authorize, or a wrong or missing verifier at token', async () => {
      const noPkce = await approveInBrowser(running, authorizeUrl(running.baseUrl, base({})));
      expect(noPkce.searchParams.get('error')).toBe('invalid_request');
      expect(noPkce.searchParams.get('state')).toBe('xyz');
      const plain = await approveInBrowser(
        running,
        authorizeUrl(running.baseUrl, base({ code_challenge: pkce().challenge, code_challenge_method: 'plain' })),
      );
      expect(plain.searchParams.get('error')).toBe('invalid_request');

      for (const verifier of [pkce().verifier, undefined]) {
        const { challenge } = pkce();
        const back = await approveInBrowser(running, authorizeUrl(running.baseUrl, base({ code_challenge: challenge })));
        const form: Record<string, string> = {
          grant_type: 'authorization_code',
          code: back.searchParams.get('code') ?? '',
          client_id: clientId,
          redirect_uri: REDIRECT_URI,
        };
        if (verifier) form['code_verifier'] = verifier;
        const answer = await tokenRequest(running.baseUrl, form);
        expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      }
    });

    it('a redirect URI not registered exactly is answered with 400, never redirected to', async () => {
      for (const redirect of [
        'http://127.0.0.1:9/callback/',
        'http://127.0.0.1:9/callback?x=1',
        'https://evil.example/callback',
        undefined,
      ]) {
        const answer = await fetch(authorizeUrl(running.baseUrl, base({ code_challenge: pkce().challenge, redirect_uri: redirect })), {
          redirect: 'manual',
        });
        expect(answer.status).toBe(400);
        expect(answer.headers.get('location')).toBeNull();
      }
      const unknownClient = await fetch(
        authorizeUrl(running.baseUrl, base({ code_challenge: pkce().challenge, client_id: '00000000-0000-4000-8000-000000000000' })),
        { redirect: 'manual' },
      );
      expect(unknownClient.status).toBe(400);
      expect(
        await fetch(`${running.baseUrl}/oauth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: ['http://evil.example/cb'] }),
        }).then((r) => r.status),
      ).toBe(400);
    });

    it('a code used twice is refused, and what the first use got is revoked', async () => {
      const { verifier, challenge } = pkce();
      const back = await approveInBrowser(running, authorizeUrl(running.baseUrl, base({ code_challenge: challenge })));
      const form = {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      };
      const first = await tokenRequest(running.baseUrl, form);
      expect(first.status).toBe(200);
      expect((await mcpPost('remote', String(first.body['access_token']))).status).toBe(200);
      expect(await tokenRequest(running.baseUrl, form)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect((await mcpPost('remote', String(first.body['access_token']))).status).toBe(401);
    });

    it('a refresh token used again after rotation revokes the whole family', async () => {
      const { clientId: owner, access, refresh } = await manualGrant('remote');
      const rotated = await refreshGrant(running.baseUrl, refresh, owner);
      expect(rotated.status).toBe(200);
      expect(await refreshGrant(running.baseUrl, refresh, owner)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      // The thief's replay took the legitimate client's new tokens down with it.
      expect(await refreshGrant(running.baseUrl, rotated.body['refresh_token'], owner)).toMatchObject({ status: 400 });
      expect((await mcpPost('remote', String(rotated.body['access_token']))).status).toBe(401);
      expect((await mcpPost('remote', access)).status).toBe(401);
    }, 30_000);

    it('an expired access token is refused', async () => {
      const { access } = await manualGrant('remote');
      const tokens = running.app.get(OAuthTokensService);
      expect(await tokens.verify(access)).not.toBeNull();
      const afterExpiry = new Date(Date.now() + 15 * 60 * 1000 + 1000);
      expect(await tokens.verify(access, afterExpiry)).toBeNull();
    });

    it('an access token in the query string is refused, on HTTP and on the WebSocket', async () => {
      const { access } = await manualGrant('remote');
      expect((await mcpPost('remote', null, { method: 'tools/list' }, `?access_token=${access}`)).status).toBe(401);
      const ws = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/mcp/ws?service=remote&token=${access}`, 'mcp');
      ws.on('error', () => undefined); // the refused upgrade also surfaces as an error event
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.once('open', () => resolve(101));
      });
      if (status === 101) ws.close();
      expect(status).toBe(401);
    });
  });
});
