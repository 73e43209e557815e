import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  ErrorCode,
  UrlElicitationRequiredError,
  type ElicitRequestURLParams,
} from '@modelcontextprotocol/sdk/types.js';
import { SESSION_COOKIE } from '@mcp-proxy/shared/dto';
import { textOf } from './support/mcp-clients';
import { connectThrough, OAuthUpstream, startOAuthUpstream } from './support/oauth-upstream';
import { RunningApp, startApp, waitForStatus } from './support/running-app';

const PUBLIC_URL = 'http://127.0.0.1:9';
const REDIRECT_URI = `${PUBLIC_URL}/api/upstream-oauth/callback`;
const PASSWORD = 'correct horse battery';
const LINK_PREFIX = `${PUBLIC_URL}/api/upstream-oauth/elicitations/`;
jest.setTimeout(120_000);

/**
 * A caller with no connection whose MCP client declared URL-mode elicitation (MCP 2025-11-25) is sent the
 * link to connect (`-32042`, URLElicitationRequiredError), bound to them and usable once; the official SDK
 * client gets it, the test plays the browser against oidc-provider, the client is told of the completion
 * (`notifications/elicitation/complete`) and calls again with the user's upstream account.
 */
describe('Upstream OAuth: URL elicitation', () => {
  let upstream: OAuthUpstream;
  let running: RunningApp;
  let serviceId = '';
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const inBrowserOf = (name: string): [string, string] => ['Cookie', `${SESSION_COOKIE}=${tokens[name]}`];
  const completions: string[] = [];

  /** The official SDK client, declaring URL elicitation or not. */
  async function client(credential: string, urlElicitation: boolean): Promise<Client> {
    const mcp = new Client(
      { name: 'elicitation-e2e', version: '1.0.0' },
      { capabilities: urlElicitation ? { elicitation: { url: {} } } : {} },
    );
    if (urlElicitation) {
      mcp.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' }));
      mcp.setNotificationHandler(ElicitationCompleteNotificationSchema, (note) => void completions.push(note.params.elicitationId));
    }
    const transport = new StreamableHTTPClientTransport(new URL(`${running.baseUrl}/mcp/notes-linked`), {
      requestInit: { headers: { Authorization: `Bearer ${credential}` } },
    });
    await mcp.connect(transport);
    clients.push(mcp);
    return mcp;
  }

  /** The elicitation a call is refused with (fails the test when the call is answered otherwise). */
  async function elicited(mcp: Client): Promise<ElicitRequestURLParams> {
    const failure = await mcp.callTool({ name: 'whoami', arguments: {} }).then(
      (result) => new Error(`answered instead: ${JSON.stringify(result)}`),
      (error: unknown) => error,
    );
    if (!(failure instanceof UrlElicitationRequiredError)) throw failure;
    const required = failure as UrlElicitationRequiredError;
    expect(required.code).toBe(ErrorCode.UrlElicitationRequired);
    expect(required.elicitations).toHaveLength(1);
    return required.elicitations[0];
  }

  const linkPath = (url: string): string => new URL(url).pathname;

  async function createUser(username: string, role: string, services?: string[]): Promise<void> {
    await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({ username, password: PASSWORD, role, ...(services ? { services } : {}) })
      .expect(201);
    const login = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    tokens[username] = (login.body as { token: string }).token;
  }

  beforeAll(async () => {
    upstream = await startOAuthUpstream(REDIRECT_URI, 3600);
    await upstream.addAccount('erin-upstream');
    running = await startApp({ PUBLIC_URL });
    const created = await running
      .api()
      .post('/api/services')
      .set(...asAdmin())
      .send({
        name: 'notes-linked',
        transport: 'remote',
        remote: { url: upstream.mcpUrl, auth: 'oauth', oauth: { connection: 'perUser' } },
        start: true,
      });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    serviceId = (created.body as { id: string }).id;
    const other = await running
      .api()
      .post('/api/services')
      .set(...asAdmin())
      .send({
        name: 'notes-other',
        transport: 'remote',
        remote: { url: upstream.mcpUrl, auth: 'oauth', oauth: { connection: 'perUser' } },
      });
    if (other.status !== 201) throw new Error(`create: ${other.status} ${JSON.stringify(other.body)}`);
    await waitForStatus(running, 'notes-linked', 'running', 30_000);
    await createUser('erin', 'operator');
    await createUser('frank', 'operator');
    await createUser('limited', 'viewer', ['notes-other']);
  });

  afterAll(async () => {
    await Promise.all(clients.map((each) => each.close().catch(() => undefined)));
    await running?.close();
    await upstream?.stop();
  });

  it('without the capability, the call still gets the tool error naming the connect page', async () => {
    const plain = await client(tokens['erin'], false);
    const result = await plain.callTool({ name: 'whoami', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`connect it at ${PUBLIC_URL}/services/${serviceId}`);
  });

  it('sends the link, which connects only for the caller, once; the client is told and its call then succeeds', async () => {
    const mcp = await client(tokens['erin'], true);
    const elicitation = await elicited(mcp);
    expect(elicitation.mode).toBe('url');
    expect(elicitation.url.startsWith(LINK_PREFIX)).toBe(true);
    expect(elicitation.url).toContain(elicitation.elicitationId);
    expect(elicitation.message).toContain('notes-linked');
    // Lists need the connection too.
    await expect(mcp.listTools()).rejects.toBeInstanceOf(UrlElicitationRequiredError);

    // Anonymous (or a client token, which never signs in to the portal): sent to sign in; the link stays usable.
    const noCredential: Record<string, string> = {};
    for (const headers of [noCredential, { Authorization: `Bearer ${(await mintToken()).token}` }]) {
      const anonymous = await fetch(`${running.baseUrl}${linkPath(elicitation.url)}`, { headers, redirect: 'manual' });
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.get('location')).toBe(`/login?returnUrl=${encodeURIComponent(`/services/${serviceId}`)}`);
    }
    // Another user, or a viewer limited to other services, cannot connect through it.
    for (const other of ['frank', 'limited']) {
      const refused = await fetch(`${running.baseUrl}${linkPath(elicitation.url)}`, {
        headers: { Cookie: `${SESSION_COOKIE}=${tokens[other]}` },
        redirect: 'manual',
      });
      expect(refused.status).toBe(403);
    }

    const landing = await connectThrough(running.baseUrl, upstream, linkPath(elicitation.url), inBrowserOf('erin'), 'erin-upstream');
    expect(landing.searchParams.get('upstreamOAuth')).toBe('connected');
    await waitFor(() => completions.includes(elicitation.elicitationId));
    const result = await mcp.callTool({ name: 'whoami', arguments: {} });
    expect({ text: textOf(result), isError: result.isError === true }).toEqual({ text: 'erin-upstream', isError: false });

    // Used once: opening it again connects nothing.
    const again = await fetch(`${running.baseUrl}${linkPath(elicitation.url)}`, {
      headers: { Cookie: inBrowserOf('erin')[1] },
      redirect: 'manual',
    });
    expect(again.status).toBe(404);
  });

  it('a made-up or malformed link connects nothing', async () => {
    for (const id of ['A'.repeat(32), '..%2F..%2Fservices', 'x']) {
      const response = await fetch(`${running.baseUrl}/api/upstream-oauth/elicitations/${id}`, {
        headers: { Cookie: inBrowserOf('erin')[1] },
        redirect: 'manual',
      });
      expect(response.status).toBe(404);
    }
  });

  it('a token made with the API key, which cannot sign in, keeps the tool error', async () => {
    const keyed = await client((await mintToken()).token, true);
    const result = await keyed.callTool({ name: 'whoami', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('connect it at');
  });

  async function mintToken(): Promise<{ id: string; token: string }> {
    const minted = await running
      .api()
      .post('/api/client-tokens')
      .set(...asAdmin())
      .send({ label: 'ci bot', services: ['notes-linked'] })
      .expect(201);
    return minted.body as { id: string; token: string };
  }
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
