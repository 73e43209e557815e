import { JsonRpcMessage, JsonRpcResponse, REQUEST_TIMEOUT, SERVER_UNAVAILABLE } from './json-rpc';
import { JsonRpcPeer } from './json-rpc-peer';
import { wireText } from './framed-message';
import { asReads, collect, freedByYoungCollections } from '../testing/young-collections';

function peerWritingTo(sent: JsonRpcMessage[]): JsonRpcPeer {
  return new JsonRpcPeer({
    send: (wire) => {
      sent.push(JSON.parse(wireText(wire)));
      return true;
    },
  });
}

/** A large answer to `id` as the pieces a pipe delivers it in. */
function largeAnswer(id: number, bytes: number): Buffer[] {
  return asReads(JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'z'.repeat(bytes) }] } }));
}

describe('JsonRpcPeer.requestAnswered', () => {
  it('hands the answer over once, with the length of its frame', () => {
    const sent: JsonRpcMessage[] = [];
    const peer = peerWritingTo(sent);
    const answers: JsonRpcResponse[] = [];
    const request = peer.requestAnswered('tools/call', { name: 'echo' }, {}, (answer) => answers.push(answer));
    expect(sent).toEqual([{ jsonrpc: '2.0', id: request.id, method: 'tools/call', params: { name: 'echo' } }]);
    const frame = JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { ok: true } });
    peer.receive(frame);
    peer.receive(frame);
    expect(answers).toEqual([{ jsonrpc: '2.0', id: request.id, result: { ok: true } }]);
    expect(request.receivedChars).toBe(frame.length);
    expect(peer.pendingCount).toBe(0);
  });

  it('answers a refused send or a closed peer in a microtask, after the caller has its handle', async () => {
    const refusing = new JsonRpcPeer({ send: () => false, unsent: () => ({ code: SERVER_UNAVAILABLE, message: 'not reading its input' }) });
    const answers: JsonRpcResponse[] = [];
    refusing.requestAnswered('tools/call', {}, {}, (answer) => answers.push(answer));
    expect(answers).toEqual([]);
    await Promise.resolve();
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: SERVER_UNAVAILABLE, message: 'not reading its input' } }]);

    const closed = peerWritingTo([]);
    closed.close();
    closed.requestAnswered('ping', undefined, {}, (answer) => answers.push(answer));
    expect(answers).toHaveLength(1);
    await Promise.resolve();
    expect(answers[1]).toMatchObject({ error: { code: SERVER_UNAVAILABLE } });
  });

  it('answers a time-out, and leaves nothing waiting when the transport throws on send', async () => {
    const peer = peerWritingTo([]);
    const answer = await new Promise<JsonRpcResponse>((resolve) => peer.requestAnswered('slow', undefined, { timeoutMs: 20 }, resolve));
    expect(answer).toMatchObject({ error: { code: REQUEST_TIMEOUT } });

    const throwing = new JsonRpcPeer({
      send: () => {
        throw new Error('write after end');
      },
    });
    const answers: JsonRpcResponse[] = [];
    expect(() => throwing.requestAnswered('tools/call', {}, { timeoutMs: 60_000 }, (answer) => answers.push(answer))).toThrow(
      'write after end',
    );
    expect(throwing.pendingCount).toBe(0);
    await new Promise(setImmediate);
    expect(answers).toEqual([]);
  });

  it('leaves a large answer to young collections once handed over, however long its request waited', async () => {
    const peer = peerWritingTo([]);
    let answered: JsonRpcResponse | null = null;
    const request = peer.requestAnswered('tools/call', { name: 'echo' }, { timeoutMs: 60_000 }, (answer) => (answered = answer));
    // Two young collections while the request waits move what waits with it to the old generation. An answer
    // stored into any of that (a promise settled with it did) would then stay until a full mark-compact.
    collect({ type: 'minor' });
    collect({ type: 'minor' });
    let pieces: Buffer[] | null = largeAnswer(Number(request.id), 8 * 1024 * 1024);
    peer.receiveBytes(pieces);
    pieces = null;
    // Not handed to expect(), which keeps what it was given until the test ends.
    const handedOver = answered !== null;
    answered = null;
    expect(handedOver).toBe(true);
    expect(await freedByYoungCollections(6 * 1024 * 1024)).toBeGreaterThan(6 * 1024 * 1024);
  });
});
