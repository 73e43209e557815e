import { Readable } from 'node:stream';
import { SseEndpointRewriter } from './endpoint-rewriter';

async function run(chunks: string[]): Promise<string> {
  let out = '';
  const stream = Readable.from(chunks.map((chunk) => Buffer.from(chunk))).pipe(new SseEndpointRewriter('/mcp/web'));
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

describe('SseEndpointRewriter', () => {
  it.each([
    [['event: endpoint\ndata: /message?sessionId=1\n\n'], 'event: endpoint\ndata: /mcp/web/message?sessionId=1\n\n'],
    [
      ['event: endp', 'oint\ndata: /mess', 'age?sessionId=1\n', '\nevent: message\ndata: {}\n\n'],
      'event: endpoint\ndata: /mcp/web/message?sessionId=1\n\nevent: message\ndata: {}\n\n',
    ],
    [['event: endpoint\r\ndata: /m\r\n\r\n'], 'event: endpoint\ndata: /mcp/web/m\r\n\r\n'],
    [['event: endpoint\ndata: http://other/abs\n\n'], 'event: endpoint\ndata: http://other/abs\n\n'],
    [[': comment\n\nevent: message\ndata: {"a":1}\n\n'], ': comment\n\nevent: message\ndata: {"a":1}\n\n'],
  ])('%j', async (chunks, expected) => {
    expect(await run(chunks)).toBe(expected);
  });
});
