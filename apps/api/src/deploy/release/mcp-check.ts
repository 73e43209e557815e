import { errorResponse, isRequest, LATEST_INITIALIZE_PROTOCOL_VERSION, MCP_METHODS, METHOD_NOT_FOUND } from '@mcp-proxy/mcp/protocol';
import { connect } from 'node:net';
import type { ChildHandle } from '../../supervisor/child-handle';
import { APP_VERSION } from '../../version';

/** What the new version said about itself. */
export interface McpCheckResult {
  serverName: string | null;
  /** Null when the server offers no tools (or is an http service, probed by TCP only). */
  tools: number | null;
  /** The tools as listed (every page), for the comparison with the pinned ones; null like `tools`. */
  toolList: unknown[] | null;
}

/** A server that pages its tools forever is not followed further than this. */
const MAX_TOOL_PAGES = 20;

/** The new version is not fit to serve: the message says what it did wrong. */
export class McpCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpCheckError';
  }
}

/**
 * Talks MCP to a freshly started child before it gets any client: `initialize`, then `tools/list`
 * when it offers tools. An `http` child only has to accept a connection on its port.
 */
export async function checkMcpServer(handle: ChildHandle, timeoutMs: number): Promise<McpCheckResult> {
  const died = handle.exited.then((exit) => {
    throw new McpCheckError(`it exited during the check (${exit.reason})`);
  });
  died.catch(() => undefined);
  const check = handle.peer ? checkStdio(handle, timeoutMs) : checkPort(handle, timeoutMs);
  return Promise.race([check, died]);
}

async function checkStdio(handle: ChildHandle, timeoutMs: number): Promise<McpCheckResult> {
  const peer = handle.peer;
  if (!peer) throw new McpCheckError('it has no stdio connection');
  // Requests from the server during the check (ping, roots, sampling) get an answer rather than silence.
  const stopAnswering = peer.onMessage((message) => {
    if (!isRequest(message)) return;
    peer.write(
      message.method === MCP_METHODS.PING
        ? { jsonrpc: '2.0', id: message.id, result: {} }
        : errorResponse(message.id, METHOD_NOT_FOUND, 'not available during the deploy check'),
    );
  });
  try {
    const identity = await called<{ capabilities?: Record<string, unknown>; serverInfo?: { name?: string } }>(
      () =>
        peer.call(
          MCP_METHODS.INITIALIZE,
          {
            protocolVersion: LATEST_INITIALIZE_PROTOCOL_VERSION,
            capabilities: {},
            clientInfo: { name: 'mcp-reverse-proxy-deploy-check', version: APP_VERSION },
          },
          { timeoutMs },
        ),
      'initialize',
    );
    peer.notify(MCP_METHODS.INITIALIZED);
    const serverName = identity?.serverInfo?.name ?? null;
    if (!identity?.capabilities?.['tools']) return { serverName, tools: null, toolList: null };
    const toolList: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const params = cursor ? { cursor } : {};
      const listed = await called<{ tools?: unknown; nextCursor?: unknown }>(
        () => peer.call(MCP_METHODS.TOOLS_LIST, params, { timeoutMs }),
        'tools/list',
      );
      if (!Array.isArray(listed?.tools)) throw new McpCheckError('its tools/list answer has no tools array');
      toolList.push(...(listed.tools as unknown[]));
      cursor = typeof listed.nextCursor === 'string' && listed.nextCursor !== '' ? listed.nextCursor : undefined;
      if (!cursor) break;
    }
    return { serverName, tools: toolList.length, toolList };
  } finally {
    stopAnswering();
  }
}

async function called<T>(call: () => Promise<unknown>, method: string): Promise<T> {
  try {
    return (await call()) as T;
  } catch (error) {
    throw new McpCheckError(`${method} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function checkPort(handle: ChildHandle, timeoutMs: number): Promise<McpCheckResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accepts(handle.port ?? 0)) return { serverName: null, tools: null, toolList: null };
    if (Date.now() > deadline) throw new McpCheckError(`nothing listens on port ${handle.port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
