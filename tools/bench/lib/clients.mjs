// The two kinds of client the MCP benchmark drives, behind one session interface:
//   session.echo(message) → the reply text (throws on a transport, HTTP or JSON-RPC error)
//   session.close()
//
// - "sdk": the official SDK Client over stdio, Streamable HTTP, legacy SSE or WebSocket — what real clients use,
//   but it spends 0.8–3.3 ms of CPU per HTTP call itself, which can hide a fast gateway on a small machine.
// - "lean": raw JSON-RPC POSTs over keep-alive connections (undici Pool when it resolves, else node:http with a
//   keep-alive Agent): initialize once per session, then tools/call; each reply must carry its request's id.
import { Agent, request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';

const CLIENT_INFO = { name: 'mcp-proxy-bench', version: '1.0.0' };
const PROTOCOL_VERSION = '2025-06-18';

const textOf = (result) => {
  if (result?.isError) throw new Error(`tool error: ${String(result.content?.[0]?.text).slice(0, 120)}`);
  return result?.content?.[0]?.text;
};

// ------------------------------------------------------------------- SDK ----

/**
 * endpoint: { kind: 'stdio', command, args } | { kind: 'streamable' | 'sse' | 'ws', url, headers }
 * The SDK's WebSocketClientTransport cannot send headers: a WebSocket endpoint carries its credentials in the URL.
 */
export async function openSdkSession(endpoint, { timeoutMs }) {
  const transport = await makeSdkTransport(endpoint);
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  await client.connect(transport, { timeout: timeoutMs });
  return {
    pid: endpoint.kind === 'stdio' ? transport.pid : null,
    echo: async (message) => textOf(await client.callTool({ name: 'echo', arguments: { message } }, undefined, { timeout: timeoutMs })),
    close: async () => {
      const bounded = (promise) => Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) await bounded(transport.terminateSession());
      await bounded(client.close());
    },
  };
}

async function makeSdkTransport(endpoint) {
  switch (endpoint.kind) {
    case 'stdio':
      return new StdioClientTransport({ command: endpoint.command, args: endpoint.args, stderr: 'ignore' });
    case 'streamable':
      return new StreamableHTTPClientTransport(new URL(endpoint.url), { requestInit: { headers: endpoint.headers } });
    case 'sse': {
      const headers = endpoint.headers ?? {};
      return new SSEClientTransport(new URL(endpoint.url), {
        requestInit: { headers },
        eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers ?? {}), ...headers } }) },
      });
    }
    case 'ws':
      // Node 20 has no global WebSocket (22 does); the SDK transport uses the global, so lend it the `ws` package.
      globalThis.WebSocket ??= (await import('ws')).WebSocket;
      return new WebSocketClientTransport(new URL(endpoint.url));
    default:
      throw new Error(`unknown endpoint kind ${endpoint.kind}`);
  }
}

// ------------------------------------------------------------------ lean ----

/** Which HTTP client the lean sessions use here. */
export async function leanClientName() {
  try {
    const { Pool } = await import('undici');
    return typeof Pool === 'function' ? 'undici Pool' : 'node:http keep-alive Agent';
  } catch {
    return 'node:http keep-alive Agent';
  }
}

/** A keep-alive connection pool for one origin: post(path, headers, body) → { status, headers, text }. */
export async function createHttpPool(origin, connections) {
  try {
    const { Pool } = await import('undici');
    const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
    return {
      name: 'undici Pool',
      async send(method, path, headers, body) {
        const response = await pool.request({ method, path, headers, body });
        return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
      },
      close: () => pool.close(),
    };
  } catch {
    const url = new URL(origin);
    const agent = new Agent({ keepAlive: true, maxSockets: connections });
    return {
      name: 'node:http keep-alive Agent',
      send: (method, path, headers, body) =>
        new Promise((resolve, reject) => {
          const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
            const chunks = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(body);
        }),
      close: async () => agent.destroy(),
    };
  }
}

/** The JSON-RPC messages in a reply body: a JSON object or array, or the data of each SSE event. */
function messagesOf(response) {
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('text/event-stream')) {
    const messages = [];
    for (const event of response.text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line[5] === ' ' ? 6 : 5))
        .join('\n');
      if (data.trim()) messages.push(JSON.parse(data));
    }
    return messages;
  }
  if (!response.text) return [];
  const parsed = JSON.parse(response.text);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** One MCP session over Streamable HTTP with raw JSON-RPC POSTs. */
export async function openLeanSession(pool, endpoint) {
  const url = new URL(endpoint.url);
  const path = url.pathname + url.search;
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(endpoint.headers ?? {}) };
  const session = { id: undefined, protocolVersion: PROTOCOL_VERSION }; // known once initialize has answered
  let nextId = 0;

  const headers = () => ({
    ...base,
    'mcp-protocol-version': session.protocolVersion,
    ...(session.id ? { 'mcp-session-id': session.id } : {}),
  });
  const post = async (message) => {
    const response = await pool.send('POST', path, headers(), JSON.stringify(message));
    if (response.status >= 300) throw new Error(`HTTP ${response.status}: ${response.text.slice(0, 300)}`);
    return response;
  };
  const call = async (method, params) => {
    const id = ++nextId;
    const response = await post({ jsonrpc: '2.0', id, method, params });
    const replies = messagesOf(response).filter((message) => 'result' in message || 'error' in message);
    const reply = replies.find((message) => message.id === id);
    if (!reply)
      throw new Error(replies.length ? `crossed reply: sent id ${id}, got id ${replies[0].id}` : 'no JSON-RPC reply in the response');
    if (reply.error) throw new Error(`JSON-RPC error ${reply.error.code}: ${reply.error.message}`);
    return { reply, response };
  };

  const init = await call('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO });
  session.id = init.response.headers['mcp-session-id'];
  session.protocolVersion = init.reply.result?.protocolVersion ?? PROTOCOL_VERSION;
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });

  return {
    echo: async (message) => textOf((await call('tools/call', { name: 'echo', arguments: { message } })).reply.result),
    close: async () => {
      if (session.id) await pool.send('DELETE', path, headers()).catch(() => undefined);
    },
  };
}
