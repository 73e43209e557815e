/**
 * Lists the tools of an `http` service's child over Streamable HTTP, as a client of its own (initialize, every page
 * of tools/list, then the session ended): under the drift policy `block`, a call that comes before any list since the
 * child started is held until its tools were compared with the pins, as on a child per session.
 */
import {
  HEADER_MCP_PROTOCOL_VERSION,
  HEADER_MCP_SESSION_ID,
  MCP_METHODS,
  parseMessage,
  parseSse,
  PROTOCOL_VERSION_2025_06_18,
  type JsonRpcResponse,
} from '@mcp-proxy/mcp/protocol';
import { PROXY_CLIENT_INFO } from '../upstream/upstream';

/** Pages read at most (a server that keeps answering with a cursor is not followed for ever). */
const MAX_PAGES = 50;

export interface ListedPage {
  params: { cursor?: string };
  result: unknown;
}

/** Every page of the child's tools/list; throws when the child does not answer as an MCP server. */
export async function listChildTools(endpoint: string, timeoutMs: number): Promise<ListedPage[]> {
  const signal = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  let nextId = 0;
  const send = async (method: string, params: unknown, notification = false): Promise<JsonRpcResponse | null> => {
    const message = notification ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id: ++nextId, method, params };
    const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(message), signal });
    const sessionId = response.headers.get(HEADER_MCP_SESSION_ID);
    if (sessionId) headers[HEADER_MCP_SESSION_ID] = sessionId;
    const text = await response.text();
    if (notification) return null;
    return answerIn(text, response.headers.get('content-type') ?? '', nextId, method);
  };
  const initialized = await send(MCP_METHODS.INITIALIZE, {
    protocolVersion: PROTOCOL_VERSION_2025_06_18,
    capabilities: {},
    clientInfo: PROXY_CLIENT_INFO,
  });
  const version = (initialized && 'result' in initialized ? (initialized.result as { protocolVersion?: unknown }) : null)?.protocolVersion;
  headers[HEADER_MCP_PROTOCOL_VERSION] = typeof version === 'string' ? version : PROTOCOL_VERSION_2025_06_18;
  try {
    await send(MCP_METHODS.INITIALIZED, {}, true);
    const pages: ListedPage[] = [];
    let params: { cursor?: string } = {};
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await send(MCP_METHODS.TOOLS_LIST, params);
      if (!answer || !('result' in answer)) throw new Error('tools/list was refused');
      pages.push({ params, result: answer.result });
      const next = (answer.result as { nextCursor?: unknown } | null)?.nextCursor;
      if (typeof next !== 'string' || next === '') return pages;
      params = { cursor: next };
    }
    throw new Error(`tools/list went on for more than ${MAX_PAGES} pages`);
  } finally {
    if (headers[HEADER_MCP_SESSION_ID]) await fetch(endpoint, { method: 'DELETE', headers, signal }).catch(() => undefined);
  }
}

/** The answer to request `id` in a JSON or SSE reply. */
function answerIn(text: string, contentType: string, id: number, method: string): JsonRpcResponse {
  const bodies = contentType.startsWith('text/event-stream')
    ? parseSse(text)
        .events.filter((event) => event.type === 'message')
        .map((event) => event.data)
    : [text];
  for (const body of bodies) {
    const parsed = parseMessage(body);
    if (parsed.ok && parsed.kind === 'response' && parsed.message.id === id) return parsed.message;
  }
  throw new Error(`no answer to ${method}`);
}
