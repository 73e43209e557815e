import { HEADER_LAST_EVENT_ID, HEADER_MCP_SESSION_ID, MCP_METHODS } from '@mcp-proxy/mcp/protocol';
import { fakeRoute, until } from '../testing/fakes';
import { BOTH, toolCall, transportOnLoopback } from '../testing/streamable-http-harness';

/** The transport's SSE streams: the session's GET stream, and resumption of it and of POST streams with Last-Event-ID. */
describe('StreamableHttpTransport', () => {
  const t = transportOnLoopback();

  describe('the GET stream', () => {
    it('requires Accept: text/event-stream', async () => {
      const id = await t.openSession();
      const answer = await t.send('GET', { [HEADER_MCP_SESSION_ID]: id, accept: 'application/json' });
      expect(answer.status).toBe(406);
    });

    it('carries the session’s server messages as SSE events with ids', async () => {
      const id = await t.openSession();
      const { response, read } = await t.stream({ [HEADER_MCP_SESSION_ID]: id });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get(HEADER_MCP_SESSION_ID)).toBe(id);
      t.sessions.find(id, t.principal.id)?.sendUnrelated({ jsonrpc: '2.0', method: MCP_METHODS.TOOLS_LIST_CHANGED });
      expect(await read('list_changed')).toMatch(
        /^id: s\d+-1\nevent: message\ndata: \{"jsonrpc":"2.0","method":"notifications\/tools\/list_changed"\}\n\n/,
      );
    });

    it('keeps what was sent while the stream was away and replays it after Last-Event-ID', async () => {
      const id = await t.openSession();
      const session = t.sessions.find(id, t.principal.id);
      const first = await t.stream({ [HEADER_MCP_SESSION_ID]: id });
      session?.sendUnrelated({ jsonrpc: '2.0', method: 'notifications/first' });
      const eventId = /^id: (\S+)/.exec(await first.read('first'))?.[1] ?? '';
      first.close();
      await until(() => session?.standalone?.closed === true, 'the proxy to see the stream close');
      session?.sendUnrelated({ jsonrpc: '2.0', method: 'notifications/missed' });

      const again = await t.stream({ [HEADER_MCP_SESSION_ID]: id, [HEADER_LAST_EVENT_ID]: eventId });
      const text = await again.read('missed');
      expect(text).not.toContain('notifications/first');
    });

    it('keeps nothing of a POST stream whose answer went out while the client read it', async () => {
      t.route = fakeRoute({ proxy: { responseMode: 'sse' } });
      const id = await t.openSession();
      const call = await t.post(toolCall(5), { [HEADER_MCP_SESSION_ID]: id });
      const text = await call.text();
      expect(text).toContain('"echoed"');
      const eventId = /^id: (\S+)/m.exec(text)?.[1] ?? '';
      expect(eventId).not.toBe('');
      expect(t.sessions.find(id, t.principal.id)?.log.after(eventId)).toBeNull();
    });

    it('hands the answer of a POST stream the client lost over once, after Last-Event-ID', async () => {
      t.route = fakeRoute({ proxy: { responseMode: 'sse' } });
      const id = await t.openSession();
      const session = t.sessions.find(id, t.principal.id);
      t.upstreams.shared.resultFor = null;
      const abort = new AbortController();
      const call = await fetch(t.base, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: BOTH, [HEADER_MCP_SESSION_ID]: id },
        body: JSON.stringify(toolCall(6)),
        signal: abort.signal,
      });
      expect(call.status).toBe(200);
      await until(() => t.upstreams.shared.forwarded.length === 1, 'the call to reach the upstream');
      const streamId = [...(session?.postStreams.keys() ?? [])][0] ?? '';
      abort.abort();
      await until(() => session?.postStreams.get(streamId)?.closed === true, 'the proxy to see the POST stream close');
      const { request } = t.upstreams.shared.forwarded[0];
      const entry = session?.find(request.id);
      if (!session || !entry) throw new Error('the call is not in flight');
      session.finish(entry, { jsonrpc: '2.0', id: request.id, result: { late: true } });

      const again = await t.stream({ [HEADER_MCP_SESSION_ID]: id, [HEADER_LAST_EVENT_ID]: `${streamId}-0` });
      expect(await again.read('"late"')).toContain('"id":6');
      expect(session.log.after(`${streamId}-0`)).toBeNull();
    });
  });
});
