/** Where a service is reached, and ready-to-paste client configurations. Pure: tested as tables. */

/** The environment variable (or prompt) the snippets read the key from; never the key itself. */
export const KEY_VARIABLE = 'MCP_PROXY_KEY';

/** A service, or a group of services (served at `/mcp/g/<name>`), as clients reach it. */
export interface ServiceAddress {
  name: string;
  proxy: { path: string };
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
  id: 'claude-desktop' | 'cursor' | 'vscode' | 'curl';
  title: string;
  /** Where the snippet goes. */
  location: string;
  language: 'json' | 'shell';
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

export function clientSnippets(origin: string, service: ServiceAddress): ClientSnippet[] {
  const url = endpointsFor(origin, service).streamableHttp;
  const key = serverKey(service);
  const json = (value: unknown): string => JSON.stringify(value, null, 2);

  const remoteArgs = ['-y', 'mcp-remote', url, '--header', 'Authorization:${MCP_PROXY_AUTH}'];
  if (needsAllowHttp(url)) remoteArgs.push('--allow-http');

  return [
    {
      id: 'claude-desktop',
      title: 'Claude Desktop',
      location: 'claude_desktop_config.json (Settings → Developer → Edit Config), then restart Claude Desktop',
      language: 'json',
      code: json({
        mcpServers: {
          [key]: {
            command: 'npx',
            args: remoteArgs,
            env: { MCP_PROXY_AUTH: `Bearer <your ${KEY_VARIABLE}>` },
          },
        },
      }),
      notes: [
        'Claude Desktop starts local (stdio) servers from this file; the mcp-remote bridge (needs Node.js on that computer) forwards to this proxy with the header.',
        'The whole "Bearer …" value sits in env because Claude Desktop on Windows does not quote arguments that contain spaces.',
        "Claude's Connectors settings are not an alternative here: they reach servers from Anthropic's cloud and authenticate with OAuth, not with a header.",
        ...(needsAllowHttp(url) ? ['--allow-http is there because this address is plain HTTP; prefer HTTPS beyond your own network.'] : []),
      ],
    },
    {
      id: 'cursor',
      title: 'Cursor',
      location: '~/.cursor/mcp.json (all projects) or .cursor/mcp.json (one project)',
      language: 'json',
      code: json({
        mcpServers: {
          [key]: {
            url,
            headers: { Authorization: `Bearer \${env:${KEY_VARIABLE}}` },
          },
        },
      }),
      notes: [
        `Cursor speaks Streamable HTTP itself and fills \${env:${KEY_VARIABLE}} from the environment it was started in; set that variable before starting Cursor (or paste the key in its place).`,
      ],
    },
    {
      id: 'vscode',
      title: 'VS Code',
      location: '.vscode/mcp.json in the workspace (or MCP: Open User Configuration)',
      language: 'json',
      code: json({
        inputs: [
          {
            type: 'promptString',
            id: 'mcp-proxy-key',
            description: 'MCP Reverse Proxy API key',
            password: true,
          },
        ],
        servers: {
          [key]: {
            type: 'http',
            url,
            headers: { Authorization: 'Bearer ${input:mcp-proxy-key}' },
          },
        },
      }),
      notes: [
        'VS Code asks for the key the first time the server starts and keeps it in its secret storage, so it is not written into the file.',
      ],
    },
    {
      id: 'curl',
      title: 'curl (one-shot call)',
      location: 'a shell with the key in $' + KEY_VARIABLE,
      language: 'shell',
      code: [
        `curl -s '${url}' \\`,
        `  -H "Authorization: Bearer $${KEY_VARIABLE}" \\`,
        `  -H 'Content-Type: application/json' \\`,
        `  -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`,
      ].join('\n'),
      notes: ['A plain JSON-RPC POST without a session is answered with application/json: handy for scripts and checks.'],
    },
  ];
}
