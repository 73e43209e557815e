/** Where a service is reached, and ready-to-paste client configurations. Pure: tested as tables. */

/** The environment variable (or prompt) the snippets read the token from when none was just created. */
export const KEY_VARIABLE = 'MCP_PROXY_TOKEN';

/** A service, or a group of services (served at `/mcp/g/<name>`), as clients reach it. */
export interface ServiceAddress {
  name: string;
  /** `auth: oauth` services also take OAuth sign-ins, which the hosted connectors (ChatGPT, Claude.ai) need. */
  proxy: { path: string; auth?: string };
  /** Groups are named `?group=` on the WebSocket endpoint; services `?service=`. Default: a service. */
  kind?: 'service' | 'group';
}

export interface ServiceEndpoints {
  /** Streamable HTTP (MCP 2025-03-26 and later): what current clients use. */
  streamableHttp: string;
  /** Legacy HTTP+SSE (2024-11-05): the event stream; messages go to `…/messages?sessionId=`. */
  legacySse: string;
  /** WebSocket, subprotocol `mcp`. */
  websocket: string;
}

export interface ClientSnippet {
  id: 'claude-desktop' | 'claude-code' | 'cursor' | 'vscode' | 'windsurf' | 'connector' | 'curl';
  title: string;
  /** Where the snippet goes. */
  location: string;
  language: 'json' | 'shell' | 'text';
  code: string;
  /** What the user must know for it to work: requirements, limits, where the key comes from. */
  notes: string[];
}

export function endpointsFor(origin: string, service: ServiceAddress): ServiceEndpoints {
  const base = origin.replace(/\/+$/, '');
  const wsBase = base.replace(/^http/, 'ws');
  return {
    streamableHttp: `${base}${service.proxy.path}`,
    legacySse: `${base}${service.proxy.path}/sse`,
    websocket: `${wsBase}/mcp/ws?${service.kind === 'group' ? 'group' : 'service'}=${encodeURIComponent(service.name)}`,
  };
}

/** mcp-remote refuses plain HTTP except to localhost unless told otherwise. */
function needsAllowHttp(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '127.0.0.1' || host === '::1' || host.endsWith('.localhost'));
}

/** A config key made of the service name (clients use it as the server's label). */
function serverKey(service: ServiceAddress): string {
  return service.name;
}

/**
 * Client configurations for the service. With `token` (one just created for this client) it is written
 * into each snippet so the snippet works as pasted; without, the snippets read it from the environment
 * or ask for it.
 */
export function clientSnippets(origin: string, service: ServiceAddress, token: string | null = null): ClientSnippet[] {
  const url = endpointsFor(origin, service).streamableHttp;
  const key = serverKey(service);
  const json = (value: unknown): string => JSON.stringify(value, null, 2);
  const bearer = (fromEnvironment: string): string => `Bearer ${token ?? fromEnvironment}`;
  const tokenNote = token
    ? ['The token is written into this snippet: keep the file as private as a password.']
    : [`Create a token above to have it filled in, or set ${KEY_VARIABLE} to a client token.`];

  const remoteArgs = ['-y', 'mcp-remote', url, '--header', 'Authorization:${MCP_PROXY_AUTH}'];
  if (needsAllowHttp(url)) remoteArgs.push('--allow-http');

  const snippets: ClientSnippet[] = [
    {
      id: 'claude-desktop',
      title: 'Claude Desktop',
      location: 'claude_desktop_config.json (Settings → Developer → Edit Config), then restart Claude Desktop',
      language: 'json',
      code: json({
        mcpServers: { [key]: { command: 'npx', args: remoteArgs, env: { MCP_PROXY_AUTH: bearer(`<your ${KEY_VARIABLE}>`) } } },
      }),
      notes: [
        'Claude Desktop starts local (stdio) servers from this file; the mcp-remote bridge (needs Node.js on that computer) forwards to this proxy with the header.',
        'The whole "Bearer …" value sits in env because Claude Desktop on Windows does not quote arguments that contain spaces.',
        ...(needsAllowHttp(url) ? ['--allow-http is there because this address is plain HTTP; prefer HTTPS beyond your own network.'] : []),
        ...tokenNote,
      ],
    },
    {
      id: 'claude-code',
      title: 'Claude Code',
      location: 'a terminal where Claude Code is installed',
      language: 'shell',
      code: `claude mcp add --transport http ${key} ${url} --header "Authorization: ${bearer(`$${KEY_VARIABLE}`)}"`,
      notes: ['Add --scope user to have it in every project, --scope project to share it through .mcp.json.', ...tokenNote],
    },
    {
      id: 'cursor',
      title: 'Cursor',
      location: '~/.cursor/mcp.json (all projects) or .cursor/mcp.json (one project)',
      language: 'json',
      code: json({ mcpServers: { [key]: { url, headers: { Authorization: bearer(`\${env:${KEY_VARIABLE}}`) } } } }),
      notes: [
        token
          ? 'Cursor speaks Streamable HTTP itself.'
          : `Cursor speaks Streamable HTTP itself and fills \${env:${KEY_VARIABLE}} from the environment it was started in.`,
        ...tokenNote,
      ],
    },
    {
      id: 'vscode',
      title: 'VS Code',
      location: '.vscode/mcp.json in the workspace (or MCP: Open User Configuration)',
      language: 'json',
      code: token
        ? json({ servers: { [key]: { type: 'http', url, headers: { Authorization: bearer('') } } } })
        : json({
            inputs: [{ type: 'promptString', id: 'mcp-proxy-token', description: 'MCP Reverse Proxy client token', password: true }],
            servers: { [key]: { type: 'http', url, headers: { Authorization: 'Bearer ${input:mcp-proxy-token}' } } },
          }),
      notes: token
        ? ['To keep the token out of the file, use an "inputs" entry with password: true and Bearer ${input:…} instead.', ...tokenNote]
        : ['VS Code asks for the token the first time the server starts and keeps it in its secret storage.', ...tokenNote],
    },
    {
      id: 'windsurf',
      title: 'Windsurf',
      location: '~/.codeium/windsurf/mcp_config.json (Windsurf Settings → Cascade → MCP servers → View raw config)',
      language: 'json',
      code: json({ mcpServers: { [key]: { serverUrl: url, headers: { Authorization: bearer(`\${env:${KEY_VARIABLE}}`) } } } }),
      notes: ['Press Refresh in the MCP servers panel after saving.', ...tokenNote],
    },
  ];
  if (service.proxy.auth === 'oauth') {
    snippets.push({
      id: 'connector',
      title: 'ChatGPT / Claude.ai',
      location: 'ChatGPT (Settings → Connectors → Create) or Claude.ai (Settings → Connectors → Add custom connector)',
      language: 'text',
      code: url,
      notes: [
        'Hosted assistants reach the server from their cloud and sign in with OAuth (this service accepts it): no token to paste, you approve the connection on this proxy’s consent page.',
        'They need a public HTTPS address for this proxy; a local or plain-HTTP one will not work.',
      ],
    });
  }
  snippets.push({
    id: 'curl',
    title: 'curl (one-shot call)',
    location: token ? 'a shell' : 'a shell with the token in $' + KEY_VARIABLE,
    language: 'shell',
    code: [
      `curl -s '${url}' \\`,
      `  -H "Authorization: ${bearer(`$${KEY_VARIABLE}`)}" \\`,
      `  -H 'Content-Type: application/json' \\`,
      `  -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`,
    ].join('\n'),
    notes: ['A plain JSON-RPC POST without a session is answered with application/json: handy for scripts and checks.'],
  });
  return snippets;
}
