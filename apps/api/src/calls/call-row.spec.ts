import { createHash } from 'node:crypto';
import type { FinishedCall } from '../proxy/metrics/call-record';
import { canonicalJson } from '@mcp-proxy/mcp/protocol';
import { callRowOf } from './call-row';
import { REDACTED, rulesFor } from './payload-redaction';

function finished(overrides: Partial<FinishedCall> = {}): FinishedCall {
  return {
    at: 0,
    durationMs: 12.4,
    principalKind: 'user',
    principalId: 'user:u1',
    principalLabel: 'alice',
    clientInfo: { name: 'claude', version: '1.2' },
    endpointId: 'svc-1',
    endpointName: 'everything',
    serviceId: 'svc-1',
    serviceName: 'everything',
    method: 'tools/call',
    target: 'echo',
    memberTarget: undefined,
    args: { n: 1, message: 'secret-value' },
    responseChars: 80,
    outcome: 'ok',
    errorCode: null,
    response: null,
    ...overrides,
  };
}

describe('canonicalJson', () => {
  it('sorts keys at every level, so the order a client wrote them in does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it.each<[string, unknown, string]>([
    ['sorted already', { a: [1, { b: 'x', c: null }], d: true }, '{"a":[1,{"b":"x","c":null}],"d":true}'],
    ['integer-like keys (listed first by JavaScript)', { 9: 'a', 10: 'b' }, '{"10":"b","9":"a"}'],
    ['an undefined property', { b: undefined, a: 1 }, '{"a":1}'],
    ['undefined in an array', [1, undefined], '[1,null]'],
    ['a scalar', 'text', '"text"'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});

describe('callRowOf', () => {
  const storage = { rules: rulesFor(['s3cr3t-env'], []), maxBytes: 4096 };

  it('records who, which client, which tool, the outcome and a hash of the arguments, never the arguments by default', () => {
    const row = callRowOf(finished(), null, 'id-1', 'here');
    expect(row).toMatchObject({
      at: new Date(0),
      principalKind: 'user',
      principalId: 'user:u1',
      principalLabel: 'alice',
      clientName: 'claude',
      clientVersion: '1.2',
      endpoint: 'everything',
      serviceName: 'everything',
      tool: 'echo',
      originalTool: null,
      durationMs: 12,
      outcome: 'ok',
      responseBytes: 80,
      argumentsSha256: createHash('sha256').update('{"message":"secret-value","n":1}').digest('hex'),
      arguments: null,
      result: null,
    });
    expect(JSON.stringify(row)).not.toContain('secret-value');
    expect(row.requestBytes).toBeGreaterThan('{"message":"secret-value","n":1}'.length);
  });

  it('hashes arguments handed over as raw JSON text like the parsed ones', () => {
    expect(callRowOf(finished({ args: '{"n":1,"message":"secret-value"}' }), null, 'id-1', 'here').argumentsSha256).toBe(
      callRowOf(finished(), null, 'id-1', 'here').argumentsSha256,
    );
  });

  it("names a group member's original tool, and has no hash for a call without arguments", () => {
    const row = callRowOf(
      finished({ target: 'everything__echo', memberTarget: 'echo', args: undefined, method: 'resources/read' }),
      null,
      'id-1',
      'here',
    );
    expect(row).toMatchObject({ tool: 'everything__echo', originalTool: 'echo', argumentsSha256: null });
  });

  it('stores the arguments and the result (or the error) redacted when the service keeps payloads', () => {
    const ok = callRowOf(
      finished({
        args: { query: 'uses s3cr3t-env', password: 'hunter22' },
        response: { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'mail bob@example.com' }] } },
      }),
      storage,
      'id-1',
      'here',
    );
    expect(JSON.parse(ok.arguments ?? '')).toEqual({ query: `uses ${REDACTED}`, password: REDACTED });
    expect(ok.result).toBe(`{"content":[{"type":"text","text":"mail bob@example.com"}]}`);
    const failed = callRowOf(
      finished({ response: { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad s3cr3t-env' } } }),
      storage,
      'id-1',
      'here',
    );
    expect(JSON.parse(failed.result ?? '')).toEqual({ code: -32602, message: `bad ${REDACTED}` });
  });
});
