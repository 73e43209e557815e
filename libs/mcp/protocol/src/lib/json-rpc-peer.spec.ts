import { JsonRpcMessage, REQUEST_TIMEOUT, SERVER_UNAVAILABLE } from './json-rpc';
import { JsonRpcPeer, JsonRpcRequestError } from './json-rpc-peer';
import { wireText } from './framed-message';
import { collect } from '../testing/young-collections';

function pair() {
  const sent: JsonRpcMessage[] = [];
  let open = true;
  const peer = new JsonRpcPeer({
    send: (text) => {
      if (!open) return false;
      sent.push(JSON.parse(wireText(text)));
      return true;
    },
  });
  return { peer, sent, shut: () => (open = false) };
}

describe('JsonRpcPeer', () => {
  it('does not keep a request it sent (a large one is its bytes) while it waits for the answer', async () => {
    const { peer } = pair();
    let params: { text: string } | null = { text: 'x'.repeat(1024) };
    const sentParams = new WeakRef(params);
    const pending = peer.request('tools/call', params, { timeoutMs: 60_000 });
    params = null;
    await new Promise(setImmediate);
    collect();
    expect(sentParams.deref()).toBeUndefined();
    peer.close();
    await pending.response;
  });

  it('matches responses to requests by id, in any order', async () => {
    const { peer, sent } = pair();
    const a = peer.call('a');
    const b = peer.call('b');
    expect(sent.map((m) => ('id' in m ? m.id : undefined))).toEqual([1, 2]);
    peer.receive(JSON.stringify({ jsonrpc: '2.0', id: 2, result: 'B' }));
    peer.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'A' }));
    await expect(a).resolves.toBe('A');
    await expect(b).resolves.toBe('B');
    expect(peer.pendingCount).toBe(0);
  });

  it('tells a request the length of the frame its response came in (none for an answer it made itself)', async () => {
    const { peer } = pair();
    const answered = peer.request('a');
    const frame = JSON.stringify({ jsonrpc: '2.0', id: answered.id, result: { text: 'héllo' } });
    peer.receive(frame);
    await answered.response;
    expect(answered.receivedChars).toBe(frame.length);
    const abandoned = peer.request('b');
    peer.abandon(abandoned.id, { code: REQUEST_TIMEOUT, message: 'gave up' });
    await abandoned.response;
    expect(abandoned.receivedChars).toBeUndefined();
  });

  it('rejects with the remote error', async () => {
    const { peer } = pair();
    const call = peer.call('x');
    peer.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'nope' } }));
    await expect(call).rejects.toEqual(new JsonRpcRequestError({ code: -32601, message: 'nope' }));
  });

  it('passes notifications, far-end requests and unknown responses to listeners', () => {
    const { peer } = pair();
    const seen: JsonRpcMessage[] = [];
    peer.onMessage((m) => seen.push(m));
    peer.receive('{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}');
    peer.receive('{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage","params":{}}');
    peer.receive('{"jsonrpc":"2.0","id":99,"result":{}}');
    peer.receive('not json');
    expect(seen.map((m) => ('method' in m ? m.method : `response ${String(m.id)}`))).toEqual([
      'notifications/tools/list_changed',
      'sampling/createMessage',
      'response 99',
      '$/invalid',
    ]);
  });

  it('fails every pending request at once when closed, and later ones immediately', async () => {
    const { peer } = pair();
    const pending = [peer.request('a'), peer.request('b')];
    peer.close({ code: SERVER_UNAVAILABLE, message: 'child exited (signal SIGKILL)' });
    for (const { response } of pending) {
      await expect(response).resolves.toMatchObject({ error: { code: SERVER_UNAVAILABLE, message: 'child exited (signal SIGKILL)' } });
    }
    await expect(peer.request('c').response).resolves.toMatchObject({ error: { code: SERVER_UNAVAILABLE } });
  });

  it('times out a request with REQUEST_TIMEOUT', async () => {
    jest.useFakeTimers();
    try {
      const { peer } = pair();
      const { response } = peer.request('slow', undefined, { timeoutMs: 50 });
      jest.advanceTimersByTime(51);
      await expect(response).resolves.toMatchObject({ error: { code: REQUEST_TIMEOUT } });
      expect(peer.pendingCount).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('settles at once when the transport refuses to send', async () => {
    const { peer, shut } = pair();
    shut();
    await expect(peer.request('x').response).resolves.toMatchObject({ error: { code: SERVER_UNAVAILABLE } });
  });

  it('uses the given id generator so its ids never collide with relayed ones', () => {
    const sent: string[] = [];
    let n = 0;
    const peer = new JsonRpcPeer({ send: (t) => sent.push(wireText(t)) > 0, nextId: () => `proxy:${++n}` });
    peer.request('ping');
    expect(JSON.parse(sent[0]).id).toBe('proxy:1');
  });
});
