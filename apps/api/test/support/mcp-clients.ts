import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { join } from 'node:path';
import { WebSocket } from 'ws';

/** The real server-everything, started with node (never npx at test time). */
export const EVERYTHING_SERVER = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'node_modules',
  '@modelcontextprotocol',
  'server-everything',
  'dist',
  'index.js',
);

/** An `initialize` request as JSON text, for tests that speak MCP by hand. */
export function initializeRequest(clientName: string, protocolVersion = '2025-06-18'): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: clientName, version: '1' } },
  });
}

export type TransportKind = 'streamable' | 'sse' | 'websocket';

/** An official SDK client connected through the proxy the way a user's client would be. */
export async function connectClient(baseUrl: string, service: string, apiKey: string, kind: TransportKind): Promise<Client> {
  const client = new Client({ name: 'proxy-e2e', version: '1.0.0' });
  const headers = { Authorization: `Bearer ${apiKey}` };
  if (kind === 'streamable') {
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/${service}`), { requestInit: { headers } }));
  } else if (kind === 'sse') {
    await client.connect(
      new SSEClientTransport(new URL(`${baseUrl}/mcp/${service}/sse`), {
        requestInit: { headers },
        eventSourceInit: {
          fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
        },
      }),
    );
  } else {
    // Node 20 has no global WebSocket; the SDK transport expects one and cannot send headers, so the key goes in the query.
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    const url = new URL(`${baseUrl.replace(/^http/, 'ws')}/mcp/ws`);
    url.searchParams.set('service', service);
    url.searchParams.set('token', apiKey);
    await client.connect(new WebSocketClientTransport(url));
  }
  return client;
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join('');
}
