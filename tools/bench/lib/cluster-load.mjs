// The cluster benchmark's clients: each one an MCP session over Streamable HTTP (raw JSON-RPC POSTs on a
// keep-alive connection, as the lean bench client) that calls `echo` in a loop and records every call: when it
// started and ended, whether its reply was its own, and how it failed (HTTP status or socket error, the instance
// nginx gave it to). A client whose session is unknown (404) counts a lost session and initializes a new one.
import { Agent, request } from 'node:http';

const PROTOCOL_VERSION = '2025-06-18';
const CALL_TIMEOUT_MS = 40_000;

function post(agent, origin, path, headers, body) {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        agent,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(CALL_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('no answer within 40 s'), { code: 'TIMEOUT' })));
    // Marks a reset of a kept-alive connection the server closed as the request went out: never read, safe to resend.
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

/** The JSON-RPC message of a JSON or SSE reply body, or null. */
function replyOf(response) {
  const type = String(response.headers['content-type'] ?? '');
  const text = type.includes('text/event-stream')
    ? response.text
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .pop()
    : response.text;
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** HTTP statuses and socket errors a client may simply send again. */
const retryable = (failure) => failure.status === undefined || [429, 502, 503, 504].includes(failure.status);

/**
 * Starts `clients` sessions, client i on services[i mod n], calling until `stop()`. Returns { records, sessions }
 * where each record is { client, service, startedAt, endedAt, ok, failure?: { status?, kind, retryable } , upstream }.
 */
export async function startClusterLoad({ origin, apiKey, services, clients }) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const records = [];
  const sessions = { opened: 0, lost: 0, reopenFailures: 0, resent: 0 };
  let running = true;

  const makeClient = async (index) => {
    const service = services[index % services.length];
    const path = `/mcp/${service.name}`;
    const base = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    let sessionId = null;
    let nextId = 0;
    const headers = () => ({ ...base, 'mcp-protocol-version': PROTOCOL_VERSION, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) });
    const open = async () => {
      sessionId = null;
      const init = await post(
        agent,
        origin,
        path,
        headers(),
        JSON.stringify({
          jsonrpc: '2.0',
          id: ++nextId,
          method: 'initialize',
          params: {
            protocolVersion: PROTOCOL_VERSION,
            capabilities: {},
            clientInfo: { name: 'mcp-proxy-cluster-bench', version: '1.0.0' },
          },
        }),
      );
      if (init.status !== 200 || !init.headers['mcp-session-id'])
        throw new Error(`initialize → HTTP ${init.status}: ${init.text.slice(0, 200)}`);
      sessionId = init.headers['mcp-session-id'];
      await post(agent, origin, path, headers(), JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      sessions.opened++;
    };
    await open();
    const firstSession = sessionId;
    // Wrapped: an async function returning the loop's promise would wait for the loop to end.
    const loop = (async () => {
      for (let n = 0; running; n++) {
        const id = ++nextId;
        const message = `c${index}-${n}`;
        const startedAt = Date.now();
        const record = { client: index, service: service.name, startedAt, endedAt: 0, ok: false, upstream: null };
        const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message } } });
        try {
          // As HTTP clients do (undici, browsers): a request lost to an idle keep-alive connection that nginx closed
          // (keepalive_requests reached, a reload) is sent once more on a new connection. Counted apart.
          const response = await post(agent, origin, path, headers(), body).catch((error) => {
            if (!error.reusedSocket || !['ECONNRESET', 'EPIPE'].includes(error.code)) throw error;
            sessions.resent++;
            return post(false, origin, path, headers(), body); // a new connection, not another idle one
          });
          record.upstream = response.headers['x-bench-upstream'] ?? null;
          const reply = replyOf(response);
          if (response.status !== 200) {
            const detail =
              reply?.error?.message ??
              response.text
                .replace(/<[^>]+>/g, ' ')
                .replace(/\s+/g, ' ')
                .trim();
            record.failure = { status: response.status, kind: `HTTP ${response.status}: ${detail.slice(0, 90)}` };
          } else if (reply?.id !== id || reply?.result?.content?.[0]?.text !== `Echo: ${message}`) {
            const got = reply?.error
              ? `JSON-RPC ${reply.error.code}: ${reply.error.message}`
              : `wrong reply ${JSON.stringify(reply).slice(0, 80)}`;
            record.failure = { status: 200, kind: got.slice(0, 110) };
          } else record.ok = true;
        } catch (error) {
          record.failure = { kind: `socket: ${error.code ?? error.message}` };
        }
        record.endedAt = Date.now();
        if (record.failure) record.failure.retryable = retryable(record.failure);
        records.push(record);
        if (record.failure?.status === 404) {
          sessions.lost++;
          while (running) {
            try {
              await open();
              break;
            } catch {
              sessions.reopenFailures++;
              await new Promise((resolve) => setTimeout(resolve, 200));
            }
          }
        } else if (!record.ok) await new Promise((resolve) => setTimeout(resolve, 50)); // a client's pause before it retries
      }
      return { index, kept: sessionId === firstSession };
    })();
    return { loop };
  };

  const loops = (await Promise.all(Array.from({ length: clients }, (_, index) => makeClient(index)))).map((client) => client.loop);
  return {
    records,
    sessions,
    stop: async () => {
      running = false;
      const ends = await Promise.all(loops);
      agent.destroy();
      return { keptSession: ends.filter((end) => end.kept).length };
    },
  };
}

/** Calls/s in each whole second of [from, to) by end time, successful calls only. */
export function ratePerSecond(records, from, to) {
  const buckets = new Array(Math.max(0, Math.ceil((to - from) / 1000))).fill(0);
  for (const record of records) {
    if (!record.ok || record.endedAt < from || record.endedAt >= to) continue;
    buckets[Math.floor((record.endedAt - from) / 1000)]++;
  }
  return buckets;
}

/** Successful calls per second over [from, to). */
export function rateOver(records, from, to) {
  if (to <= from) return 0;
  return records.filter((record) => record.ok && record.endedAt >= from && record.endedAt < to).length / ((to - from) / 1000);
}
