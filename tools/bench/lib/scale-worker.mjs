// One load-generator process of the scale benchmark (forked by lib/scale-load.mjs, driven over IPC). It holds
// many MCP sessions with a lean client — raw JSON-RPC over node:http keep-alive sockets and `ws` — because the
// SDK client costs too much per session for thousands of them:
//   - streamable: POST initialize + notifications/initialized, then the session's GET stream left open, as
//     the SDK client does; calls are POSTs with JSON replies;
//   - legacy: GET …/sse, the `endpoint` event, then initialize; calls are POSTs answered on the stream;
//   - ws: /mcp/ws with subprotocol "mcp"; calls are text frames.
// Commands (process.send): open {count}, run {ratePerSec, durationMs}, call-each {}, stats {}, close {}.
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const PROTOCOL_VERSION = '2025-06-18';
const CLIENT_INFO = { name: 'mcp-proxy-scale-bench', version: '1.0.0' };
const OPEN_CONCURRENCY = 32;
const CALL_TIMEOUT_MS = 30_000;

const config = JSON.parse(process.argv[2]);
const base = new URL(config.url);
const localAddress = config.localAddress;
// POSTs share keep-alive sockets; each long-lived stream has a socket of its own.
// An idle socket is let go after 4 s, before the proxy's 5 s keep-alive timeout closes it under a new request.
const postAgent = new Agent({ keepAlive: true, maxSockets: config.postSockets ?? 64, localAddress, timeout: 4000 });
const streamAgent = new Agent({ keepAlive: false, maxSockets: Infinity, localAddress });
const sessions = [];
const errors = new Map();
const countError = (error) => {
  const key = String(error?.message ?? error)
    .replace(/\d+/g, 'N')
    .slice(0, 120);
  errors.set(key, (errors.get(key) ?? 0) + 1);
};
let heartbeats = 0;
let nextId = 0;

function send(method, path, headers, body, agent = postAgent) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: base.hostname, port: base.port, method, path, headers: { ...config.headers, ...headers }, agent },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(CALL_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A long-lived SSE response: every event goes to onEvent, comment lines count as heartbeats. */
function openStream(path, headers, onEvent) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: 'GET',
        path,
        headers: { ...config.headers, accept: 'text/event-stream', ...headers },
        agent: streamAgent,
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`stream HTTP ${res.statusCode}`));
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (text) => {
          buffer += text;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith(':')) heartbeats++;
            const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data: '))
              .map((line) => line.slice(6))
              .join('\n');
            if (data) onEvent(event, data);
          }
        });
        res.on('error', () => undefined);
        resolve({ close: () => req.destroy(), closed: new Promise((done) => res.on('close', done)) });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const rpc = (method, params) => ({ jsonrpc: '2.0', id: ++nextId, method, params });
const initialize = () => rpc('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO });
const echoCall = (message) => rpc('tools/call', { name: 'echo', arguments: { message } });
const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

/** Replies that arrive on a stream or socket, matched to their request by id. */
function waiters() {
  const pending = new Map();
  return {
    wait(id) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => pending.delete(id) && reject(new Error('timeout')), CALL_TIMEOUT_MS);
        pending.set(id, { resolve, timer });
      });
    },
    deliver(text) {
      const message = JSON.parse(text);
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
    },
  };
}

const replyOf = (message, id) => {
  if (message.id !== id) throw new Error(`crossed reply: sent id ${id}, got ${message.id}`);
  if (message.error) throw new Error(`JSON-RPC error ${message.error.code}`);
  return message.result;
};

async function openStreamable() {
  const path = base.pathname;
  const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = initialize();
  const response = await send('POST', path, json, JSON.stringify(init));
  if (response.status !== 200) throw new Error(`initialize HTTP ${response.status}`);
  replyOf(JSON.parse(response.text), init.id);
  const headers = { 'mcp-session-id': response.headers['mcp-session-id'], 'mcp-protocol-version': PROTOCOL_VERSION };
  await send('POST', path, { ...json, ...headers }, INITIALIZED);
  const stream = await openStream(path, headers, () => undefined);
  return {
    async call(message) {
      const request = echoCall(message);
      const reply = await send('POST', path, { ...json, ...headers }, JSON.stringify(request));
      if (reply.status !== 200) throw new Error(`HTTP ${reply.status}`);
      return replyOf(JSON.parse(reply.text), request.id);
    },
    async close() {
      await send('DELETE', path, headers).catch(() => undefined);
      stream.close();
    },
  };
}

async function openLegacy() {
  const replies = waiters();
  let endpoint;
  const gotEndpoint = new Promise((resolve) => (endpoint = resolve));
  const stream = await openStream(`${base.pathname}/sse`, {}, (event, data) =>
    event === 'endpoint' ? endpoint(data) : replies.deliver(data),
  );
  const messagesPath = await gotEndpoint;
  const post = async (request) => {
    const response = await send('POST', messagesPath, { 'content-type': 'application/json' }, JSON.stringify(request));
    if (response.status !== 202) throw new Error(`HTTP ${response.status}`);
  };
  const ask = async (request) => {
    const answer = replies.wait(request.id);
    await post(request);
    return replyOf(await answer, request.id);
  };
  await ask(initialize());
  await send('POST', messagesPath, { 'content-type': 'application/json' }, INITIALIZED);
  return { call: (message) => ask(echoCall(message)), close: async () => stream.close() };
}

async function openWebSocket() {
  const replies = waiters();
  const url = `ws://${base.host}/mcp/ws?service=${encodeURIComponent(config.service)}&token=${encodeURIComponent(config.token)}`;
  const ws = new WebSocket(url, 'mcp', { localAddress });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.on('message', (data) => replies.deliver(data.toString()));
  ws.on('ping', () => heartbeats++); // ws answers every ping with a pong by itself
  ws.on('error', () => undefined);
  const ask = async (request) => {
    const answer = replies.wait(request.id);
    ws.send(JSON.stringify(request));
    return replyOf(await answer, request.id);
  };
  await ask(initialize());
  ws.send(INITIALIZED);
  return {
    call: (message) => ask(echoCall(message)),
    close: async () => {
      ws.close();
      await new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', resolve)));
    },
  };
}

const OPENERS = { streamable: openStreamable, legacy: openLegacy, ws: openWebSocket };

async function openMany(count) {
  const opener = OPENERS[config.kind];
  let failed = 0;
  let index = 0;
  const lane = async () => {
    while (index < count) {
      index++;
      try {
        sessions.push(await opener());
      } catch (error) {
        failed++;
        countError(error);
      }
    }
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, lane));
  return { opened: sessions.length, failed };
}

/** One echo, checked against its message; the latency counts from `from` (the time the call was due). */
async function timedCall(session, message, from, result) {
  try {
    const reply = await session.call(message);
    if (reply?.content?.[0]?.text !== `Echo: ${message}`) throw new Error('reply mismatch (another call’s echo)');
    result.latencies.push(performance.now() - from);
    result.ok++;
  } catch (error) {
    result.failed++;
    countError(error);
  }
}

/**
 * Calls at a fixed rate, open loop: each call is due at its own time and its latency counts from then, so a
 * slow proxy cannot slow the generator down and hide its queueing (coordinated omission).
 */
async function runAtRate(ratePerSec, durationMs) {
  const result = { latencies: [], ok: 0, failed: 0 };
  const started = performance.now();
  const total = Math.round((ratePerSec * durationMs) / 1000);
  const inflight = [];
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) * ratePerSec) / 1000) + 1);
      for (; sent < due; sent++) {
        const dueAt = started + (sent * 1000) / ratePerSec;
        const session = sessions[(sent * 7919) % sessions.length];
        inflight.push(timedCall(session, `${config.tag}-${sent}`, dueAt, result));
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, started + (sent * 1000) / ratePerSec - performance.now()));
    };
    tick();
  });
  await Promise.all(inflight);
  return { ...result, wallMs: performance.now() - started };
}

/** One call on every session, a few at a time (the first call after the idle period). */
async function callEach() {
  const result = { latencies: [], ok: 0, failed: 0 };
  let index = 0;
  const lane = async () => {
    while (index < sessions.length) {
      const i = index++;
      await timedCall(sessions[i], `${config.tag}-each-${i}`, performance.now(), result);
    }
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, lane));
  return result;
}

async function closeAll() {
  let index = 0;
  const lane = async () => {
    while (index < sessions.length) await sessions[index++].close().catch(countError);
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, lane));
  const closed = sessions.length;
  sessions.length = 0;
  postAgent.destroy();
  return { closed };
}

process.on('message', async ({ command, args = {} }) => {
  const cpuBefore = process.cpuUsage();
  let reply;
  try {
    if (command === 'open') reply = await openMany(args.count);
    else if (command === 'run') reply = await runAtRate(args.ratePerSec, args.durationMs);
    else if (command === 'call-each') reply = await callEach();
    else if (command === 'stats') reply = { sessions: sessions.length, heartbeats };
    else if (command === 'close') reply = await closeAll();
    else throw new Error(`unknown command ${command}`);
  } catch (error) {
    reply = { error: String(error?.message ?? error) };
  }
  const cpu = process.cpuUsage(cpuBefore);
  process.send({ ...reply, errors: Object.fromEntries(errors), cpuMs: (cpu.user + cpu.system) / 1000 });
  errors.clear();
});
process.send({ ready: true });
