import { JsonRpcNotification, JsonRpcRequest } from './json-rpc';
import {
  decodeMcpHeaderValue,
  detectRequestEra,
  encodeMcpHeaderValue,
  headerMismatchError,
  unsupportedProtocolVersionError,
  validateStatelessRequest,
} from './mcp-http';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function req(method: string, params: Record<string, unknown> = {}, meta: Record<string, unknown> | null = META): JsonRpcRequest {
  return {
    jsonrpc: '2.0',
    id: 1,
    method,
    params: meta === null ? params : { ...params, _meta: meta },
  };
}

describe('Mcp-Name / Mcp-Param value encoding', () => {
  // Vectors from the 2026-07-28 Streamable HTTP "Value Encoding" table.
  it.each([
    ['us-west1', 'us-west1'],
    ['Hello, 世界', '=?base64?SGVsbG8sIOS4lueVjA==?='],
    [' padded ', '=?base64?IHBhZGRlZCA=?='],
    ['line1\nline2', '=?base64?bGluZTEKbGluZTI=?='],
    ['=?base64?literal?=', '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='],
    ['tab\there', '=?base64?dGFiCWhlcmU=?='],
    ['file:///projects/myapp/config.json', 'file:///projects/myapp/config.json'],
    ['', ''],
  ])('%j ⇄ %j', (value, encoded) => {
    expect(encodeMcpHeaderValue(value)).toBe(encoded);
    expect(decodeMcpHeaderValue(encoded)).toBe(value);
  });

  it.each([
    ['invalid base64 body', '=?base64?!!!?='],
    ['bad padding', '=?base64?abc?='],
    ['invalid UTF-8', '=?base64?/w==?='],
    ['non-ASCII plain value', 'caf\u00e9'],
    ['control char in plain value', 'a\u0001b'],
  ])('decode rejects %s', (_name, raw) => {
    expect(decodeMcpHeaderValue(raw)).toBeUndefined();
  });

  it('sentinel markers are case-sensitive', () => {
    expect(decodeMcpHeaderValue('=?BASE64?YQ==?=')).toBe('=?BASE64?YQ==?=');
  });
});

describe('detectRequestEra', () => {
  it.each<[string, JsonRpcRequest | JsonRpcNotification, Record<string, string>, string]>([
    ['initialize is legacy', req('initialize', { protocolVersion: '2025-06-18' }, null), {}, 'legacy'],
    ['initialize even with a modern header', req('initialize', {}, null), { 'mcp-protocol-version': '2026-07-28' }, 'legacy'],
    ['_meta protocolVersion → stateless', req('tools/list'), {}, 'stateless'],
    [
      'modern header without _meta → stateless (then fails validation)',
      req('tools/list', {}, null),
      { 'mcp-protocol-version': '2026-07-28' },
      'stateless',
    ],
    ['legacy header, no _meta', req('tools/list', {}, null), { 'mcp-protocol-version': '2025-06-18' }, 'legacy'],
    ['no header, no _meta', req('tools/list', {}, null), {}, 'legacy'],
    ['notification with legacy session', { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': 'abc' }, 'legacy'],
  ])('%s', (_name, message, headers, expected) => {
    expect(detectRequestEra(message, headers)).toBe(expected);
  });
});

describe('validateStatelessRequest', () => {
  const good = {
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'get_weather',
  };
  const call = req('tools/call', { name: 'get_weather', arguments: {} });

  type Case = [string, Record<string, string | string[]>, JsonRpcRequest | JsonRpcNotification, number | null];
  it.each<Case>([
    ['valid tools/call', good, call, null],
    [
      'valid tools/list (no Mcp-Name needed)',
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      req('tools/list'),
      null,
    ],
    ['valid server/discover', { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' }, req('server/discover'), null],
    [
      'valid resources/read uses params.uri',
      {
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'resources/read',
        'mcp-name': 'file:///a.txt',
      },
      req('resources/read', { uri: 'file:///a.txt' }),
      null,
    ],
    [
      'base64 Mcp-Name is decoded before comparing',
      { ...good, 'mcp-name': encodeMcpHeaderValue('天気') },
      req('tools/call', { name: '天気' }),
      null,
    ],
    ['missing MCP-Protocol-Version', { 'mcp-method': 'tools/call', 'mcp-name': 'get_weather' }, call, -32020],
    ['repeated MCP-Protocol-Version', { ...good, 'mcp-protocol-version': ['2026-07-28', '2026-07-28'] }, call, -32020],
    ['missing _meta', good, req('tools/call', { name: 'get_weather' }, null), -32602],
    [
      'missing clientCapabilities',
      good,
      req('tools/call', { name: 'get_weather' }, { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' }),
      -32602,
    ],
    [
      'header/body version mismatch',
      { ...good, 'mcp-protocol-version': '2026-07-28' },
      req('tools/call', { name: 'get_weather' }, { ...META, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' }),
      -32020,
    ],
    [
      'unsupported version (header and body agree)',
      { ...good, 'mcp-protocol-version': '1900-01-01' },
      req('tools/call', { name: 'get_weather' }, { ...META, 'io.modelcontextprotocol/protocolVersion': '1900-01-01' }),
      -32022,
    ],
    ['missing Mcp-Method', { 'mcp-protocol-version': '2026-07-28', 'mcp-name': 'get_weather' }, call, -32020],
    ['Mcp-Method mismatch', { ...good, 'mcp-method': 'tools/list' }, call, -32020],
    ['Mcp-Method differs in case', { ...good, 'mcp-method': 'Tools/Call' }, call, -32020],
    ['missing Mcp-Name', { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' }, call, -32020],
    ['Mcp-Name mismatch', { ...good, 'mcp-name': 'other' }, call, -32020],
    ['malformed base64 Mcp-Name', { ...good, 'mcp-name': '=?base64?***?=' }, call, -32020],
    ['body lacks params.name', good, req('tools/call', {}), -32020],
    [
      'notification: version header only',
      { 'mcp-protocol-version': '2026-07-28' },
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: 1 },
      },
      null,
    ],
    ['notification without version header', {}, { jsonrpc: '2.0', method: 'notifications/x' }, -32020],
  ])('%s', (_name, headers, message, expectedCode) => {
    const r = validateStatelessRequest({ headers, message });
    if (expectedCode === null) {
      expect(r).toEqual({ ok: true, protocolVersion: '2026-07-28' });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.httpStatus).toBe(400);
        expect(r.error.error.code).toBe(expectedCode);
        expect(r.error.id).toBe('id' in message ? message.id : null);
      }
    }
  });

  it('unsupported version error lists supported and requested', () => {
    const r = validateStatelessRequest({
      headers: {
        'mcp-protocol-version': '2099-01-01',
        'mcp-method': 'tools/list',
      },
      message: req('tools/list', {}, { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }),
      supportedVersions: ['2026-07-28'],
    });
    expect(r).toEqual({
      ok: false,
      httpStatus: 400,
      error: {
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32022,
          message: 'Unsupported protocol version',
          data: { supported: ['2026-07-28'], requested: '2099-01-01' },
        },
      },
    });
  });
});

describe('error builders', () => {
  it('headerMismatchError', () => {
    expect(headerMismatchError(3, 'x')).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32020, message: 'Header mismatch: x' },
    });
  });

  it('unsupportedProtocolVersionError copies the supported list', () => {
    const supported = ['2026-07-28'];
    const e = unsupportedProtocolVersionError(undefined, 'x', supported);
    expect(e.id).toBeNull();
    expect(e.error.data).toEqual({ supported: ['2026-07-28'], requested: 'x' });
    expect((e.error.data as { supported: string[] }).supported).not.toBe(supported);
  });
});
