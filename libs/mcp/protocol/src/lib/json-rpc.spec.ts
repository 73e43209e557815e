import {
  createNotification,
  createRequest,
  defaultErrorMessage,
  errorResponse,
  errorResponseFromFailure,
  INTERNAL_ERROR,
  INVALID_PARAMS,
  INVALID_REQUEST,
  isErrorResponse,
  isNotification,
  isProxyErrorCode,
  isRequest,
  isReservedJsonRpcErrorCode,
  isResponse,
  isSuccessResponse,
  JSON_RPC_ERROR_CODES,
  MCP_ERROR_CODES,
  METHOD_NOT_FOUND,
  parseMessage,
  parseMessageValue,
  PARSE_ERROR,
  ParseResult,
  PROXY_ERROR_CODES,
  successResponse,
} from './json-rpc';

type Expectation = { kind: 'request' | 'notification' | 'response' } | { code: number; id: string | number | null };

function check(result: ParseResult, expected: Expectation): void {
  if ('kind' in expected) {
    expect(result).toMatchObject({ ok: true, kind: expected.kind });
  } else {
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(expected.code);
      expect(result.id).toBe(expected.id);
      expect(typeof result.error.message).toBe('string');
    }
  }
}

describe('parseMessage', () => {
  describe('malformed JSON → -32700 with id null', () => {
    it.each([
      ['empty string', ''],
      ['whitespace only', '   \n'],
      ['truncated object', '{"jsonrpc":"2.0","id":1'],
      ['missing value', '{"a":}'],
      ['single quotes', "{'jsonrpc':'2.0'}"],
      ['trailing comma', '{"jsonrpc":"2.0","method":"x",}'],
      ['bare word', 'undefined'],
      ['NaN literal', 'NaN'],
      ['unterminated array', '[1,2'],
      ['two objects', '{"a":1}{"b":2}'],
      ['comment', '{"jsonrpc":"2.0" /* c */, "method":"x"}'],
    ])('%s', (_name, text) => {
      const r = parseMessage(text);
      check(r, { code: PARSE_ERROR, id: null });
      if (!r.ok) expect(r.error.message).toBe('Parse error');
    });
  });

  describe('valid JSON that is not an object → -32600 with id null', () => {
    it.each([
      ['number', '1'],
      ['string', '"hello"'],
      ['null', 'null'],
      ['boolean', 'true'],
    ])('%s', (_name, text) => {
      check(parseMessage(text), { code: INVALID_REQUEST, id: null });
    });
  });

  describe('batches (arrays)', () => {
    it.each([
      ['empty array', '[]'],
      ['one request', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]'],
      ['two notifications', '[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]'],
      ['array of numbers', '[1,2,3]'],
    ])('rejected by default: %s', (_name, text) => {
      check(parseMessage(text), { code: INVALID_REQUEST, id: null });
      check(parseMessage(text, { allowBatch: false }), {
        code: INVALID_REQUEST,
        id: null,
      });
    });

    it('empty batch is invalid even when batching is allowed', () => {
      check(parseMessage('[]', { allowBatch: true }), {
        code: INVALID_REQUEST,
        id: null,
      });
    });

    it('allowBatch validates each element independently, preserving order', () => {
      const text = JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 'r', result: {} },
        { jsonrpc: '1.0', id: 7, method: 'x' },
        42,
        [],
      ]);
      const r = parseMessage(text, { allowBatch: true });
      expect(r.ok).toBe(true);
      if (!r.ok || r.kind !== 'batch') throw new Error('expected batch');
      expect(r.items.map((i) => (i.ok ? i.kind : `error:${i.error.code}:${String(i.id)}`))).toEqual([
        'request',
        'notification',
        'response',
        'error:-32600:7',
        'error:-32600:null',
        'error:-32600:null',
      ]);
    });
  });

  describe('jsonrpc member', () => {
    it.each([
      ['missing', { id: 1, method: 'x' }, 1],
      ['1.0', { jsonrpc: '1.0', id: 'a', method: 'x' }, 'a'],
      ['number 2.0', { jsonrpc: 2.0, id: 2, method: 'x' }, 2],
      ['"2"', { jsonrpc: '2', id: 3, method: 'x' }, 3],
      ['"2.0 " (trailing space)', { jsonrpc: '2.0 ', id: 4, method: 'x' }, 4],
      ['null', { jsonrpc: null, method: 'x' }, null],
      ['missing on a response', { id: 9, result: {} }, 9],
    ])('%s → -32600 echoing a readable id', (_name, value, id) => {
      check(parseMessage(JSON.stringify(value)), { code: INVALID_REQUEST, id });
    });
  });

  describe('request ids', () => {
    it.each([
      ['string', 'abc', { kind: 'request' }],
      ['empty string', '', { kind: 'request' }],
      ['zero', 0, { kind: 'request' }],
      ['negative', -5, { kind: 'request' }],
      ['large integer', 9007199254740991, { kind: 'request' }],
      ['fraction (tolerated)', 1.5, { kind: 'request' }],
      ['null', null, { code: INVALID_REQUEST, id: null }],
      ['object', { a: 1 }, { code: INVALID_REQUEST, id: null }],
      ['array', [1], { code: INVALID_REQUEST, id: null }],
      ['boolean', true, { code: INVALID_REQUEST, id: null }],
    ] as const)('%s', (_name, id, expected) => {
      check(parseMessage(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })), expected);
    });

    it('null request id is accepted with allowNullRequestId', () => {
      check(
        parseMessage('{"jsonrpc":"2.0","id":null,"method":"ping"}', {
          allowNullRequestId: true,
        }),
        {
          kind: 'request',
        },
      );
    });
  });

  describe('requests and notifications', () => {
    it.each([
      ['notification without params', { jsonrpc: '2.0', method: 'notifications/initialized' }, { kind: 'notification' }],
      ['notification with params', { jsonrpc: '2.0', method: 'n', params: { a: 1 } }, { kind: 'notification' }],
      ['request with object params', { jsonrpc: '2.0', id: 1, method: 'm', params: {} }, { kind: 'request' }],
      ['request with array params', { jsonrpc: '2.0', id: 1, method: 'm', params: [1, 2] }, { kind: 'request' }],
      ['method is a number', { jsonrpc: '2.0', id: 1, method: 5 }, { code: INVALID_REQUEST, id: 1 }],
      ['method is null', { jsonrpc: '2.0', id: 1, method: null }, { code: INVALID_REQUEST, id: 1 }],
      ['params null', { jsonrpc: '2.0', id: 1, method: 'm', params: null }, { code: INVALID_REQUEST, id: 1 }],
      ['params string', { jsonrpc: '2.0', id: 1, method: 'm', params: 'x' }, { code: INVALID_REQUEST, id: 1 }],
      ['params number', { jsonrpc: '2.0', method: 'm', params: 3 }, { code: INVALID_REQUEST, id: null }],
      ['request carrying result', { jsonrpc: '2.0', id: 1, method: 'm', result: {} }, { code: INVALID_REQUEST, id: 1 }],
      [
        'request carrying error',
        {
          jsonrpc: '2.0',
          id: 'q',
          method: 'm',
          error: { code: 1, message: 'x' },
        },
        { code: INVALID_REQUEST, id: 'q' },
      ],
      ['empty object', {}, { code: INVALID_REQUEST, id: null }],
      ['only jsonrpc', { jsonrpc: '2.0' }, { code: INVALID_REQUEST, id: null }],
      ['only jsonrpc and id', { jsonrpc: '2.0', id: 4 }, { code: INVALID_REQUEST, id: 4 }],
    ] as const)('%s', (_name, value, expected) => {
      check(parseMessage(JSON.stringify(value)), expected);
    });
  });

  describe('responses', () => {
    it.each([
      ['result object', { jsonrpc: '2.0', id: 1, result: { tools: [] } }, { kind: 'response' }],
      ['result null', { jsonrpc: '2.0', id: 1, result: null }, { kind: 'response' }],
      ['result with string id', { jsonrpc: '2.0', id: 'x', result: 0 }, { kind: 'response' }],
      ['error', { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'nope' } }, { kind: 'response' }],
      ['error with data', { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm', data: [1] } }, { kind: 'response' }],
      ['error with id null', { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'x' } }, { kind: 'response' }],
      ['error without id (MCP 2026)', { jsonrpc: '2.0', error: { code: -32600, message: 'x' } }, { kind: 'response' }],
      ['both result and error', { jsonrpc: '2.0', id: 3, result: {}, error: { code: 1, message: 'x' } }, { code: INVALID_REQUEST, id: 3 }],
      ['result with id null', { jsonrpc: '2.0', id: null, result: {} }, { code: INVALID_REQUEST, id: null }],
      ['result without id', { jsonrpc: '2.0', result: {} }, { code: INVALID_REQUEST, id: null }],
      ['error id is an object', { jsonrpc: '2.0', id: {}, error: { code: 1, message: 'x' } }, { code: INVALID_REQUEST, id: null }],
      ['error is a string', { jsonrpc: '2.0', id: 5, error: 'boom' }, { code: INVALID_REQUEST, id: 5 }],
      ['error is null', { jsonrpc: '2.0', id: 5, error: null }, { code: INVALID_REQUEST, id: 5 }],
      ['error code fractional', { jsonrpc: '2.0', id: 5, error: { code: 1.5, message: 'x' } }, { code: INVALID_REQUEST, id: 5 }],
      ['error code string', { jsonrpc: '2.0', id: 5, error: { code: '1', message: 'x' } }, { code: INVALID_REQUEST, id: 5 }],
      ['error message missing', { jsonrpc: '2.0', id: 5, error: { code: 1 } }, { code: INVALID_REQUEST, id: 5 }],
      ['error message number', { jsonrpc: '2.0', id: 5, error: { code: 1, message: 2 } }, { code: INVALID_REQUEST, id: 5 }],
    ] as const)('%s', (_name, value, expected) => {
      check(parseMessage(JSON.stringify(value)), expected);
    });
  });

  it('returns the original object, preserving unknown members and _meta', () => {
    const text = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"t","_meta":{"progressToken":1}},"x-extra":true}';
    const r = parseMessage(text);
    expect(r).toEqual({ ok: true, kind: 'request', message: JSON.parse(text) });
  });

  it('handles non-ASCII content and large payloads', () => {
    const big = 'ü€😀'.repeat(100_000);
    const r = parseMessage(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { text: big } }));
    expect(r.ok && r.kind === 'response' && (r.message as { result: { text: string } }).result.text).toBe(big);
  });

  it('parse errors carry a detail in data', () => {
    const r = parseMessage('{');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.data).toEqual({ detail: expect.any(String) });
  });
});

describe('parseMessageValue', () => {
  it('validates pre-decoded values', () => {
    check(parseMessageValue({ jsonrpc: '2.0', id: 1, method: 'ping' }), {
      kind: 'request',
    });
    check(parseMessageValue(undefined), { code: INVALID_REQUEST, id: null });
    check(parseMessageValue([{ jsonrpc: '2.0', method: 'x' }]), {
      code: INVALID_REQUEST,
      id: null,
    });
    expect(
      parseMessageValue([{ jsonrpc: '2.0', method: 'x' }], {
        allowBatch: true,
      }),
    ).toMatchObject({
      ok: true,
      kind: 'batch',
    });
  });
});

describe('guards', () => {
  const req = { jsonrpc: '2.0', id: 1, method: 'ping' };
  const note = { jsonrpc: '2.0', method: 'notifications/initialized' };
  const ok = { jsonrpc: '2.0', id: 1, result: {} };
  const err = { jsonrpc: '2.0', id: 1, error: { code: -1, message: 'x' } };
  const bad = {
    jsonrpc: '2.0',
    id: 1,
    result: {},
    error: { code: 1, message: 'x' },
  };

  it.each([
    ['request', req, [true, false, false, false, false]],
    ['notification', note, [false, true, false, false, false]],
    ['success response', ok, [false, false, true, false, true]],
    ['error response', err, [false, false, true, true, false]],
    ['both result and error', bad, [false, false, false, false, false]],
    ['null', null, [false, false, false, false, false]],
    ['string', 'x', [false, false, false, false, false]],
    ['array', [req], [false, false, false, false, false]],
  ] as const)('%s', (_name, value, expected) => {
    expect([isRequest(value), isNotification(value), isResponse(value), isErrorResponse(value), isSuccessResponse(value)]).toEqual(
      expected,
    );
  });
});

describe('builders', () => {
  it.each([
    [undefined, null],
    [null, null],
    [0, 0],
    ['id-1', 'id-1'],
  ] as const)('errorResponse id %p → %p', (id, expected) => {
    expect(errorResponse(id, INTERNAL_ERROR).id).toBe(expected);
  });

  it.each([
    [PARSE_ERROR, 'Parse error'],
    [INVALID_REQUEST, 'Invalid Request'],
    [METHOD_NOT_FOUND, 'Method not found'],
    [INVALID_PARAMS, 'Invalid params'],
    [INTERNAL_ERROR, 'Internal error'],
    [PROXY_ERROR_CODES.REQUEST_TIMEOUT, 'Request timed out'],
    [12345, 'Error'],
  ])('errorResponse default message for %p', (code, message) => {
    expect(errorResponse(1, code)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code, message },
    });
  });

  it('includes data only when given', () => {
    expect(errorResponse(1, -1, 'm', { a: 1 }).error).toEqual({
      code: -1,
      message: 'm',
      data: { a: 1 },
    });
    expect('data' in errorResponse(1, -1, 'm').error).toBe(false);
    expect(errorResponse(1, -1, 'm', null).error.data).toBeNull();
  });

  it('successResponse / createRequest / createNotification', () => {
    expect(successResponse('a', { x: 1 })).toEqual({
      jsonrpc: '2.0',
      id: 'a',
      result: { x: 1 },
    });
    expect(createRequest(1, 'ping')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
    });
    expect(createRequest(1, 'm', { a: 1 })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      method: 'm',
      params: { a: 1 },
    });
    expect(createNotification('n')).toEqual({ jsonrpc: '2.0', method: 'n' });
    expect(isRequest(createRequest(2, 'x'))).toBe(true);
    expect(isNotification(createNotification('x', []))).toBe(true);
  });

  it('errorResponseFromFailure answers with the readable id', () => {
    const r = parseMessage('{"jsonrpc":"1.0","id":"abc","method":"x"}');
    if (r.ok) throw new Error('expected failure');
    expect(errorResponseFromFailure(r)).toMatchObject({
      jsonrpc: '2.0',
      id: 'abc',
      error: { code: -32600 },
    });
  });
});

describe('error codes', () => {
  it('standard JSON-RPC codes', () => {
    expect(JSON_RPC_ERROR_CODES).toEqual({
      PARSE_ERROR: -32700,
      INVALID_REQUEST: -32600,
      METHOD_NOT_FOUND: -32601,
      INVALID_PARAMS: -32602,
      INTERNAL_ERROR: -32603,
    });
  });

  it('MCP codes', () => {
    expect(MCP_ERROR_CODES).toEqual({
      RESOURCE_NOT_FOUND: -32002,
      URL_ELICITATION_REQUIRED: -32042,
      HEADER_MISMATCH: -32020,
      MISSING_REQUIRED_CLIENT_CAPABILITY: -32021,
      UNSUPPORTED_PROTOCOL_VERSION: -32022,
    });
  });

  it('proxy codes are unique, in the proxy range and outside the JSON-RPC reserved range', () => {
    const codes = Object.values(PROXY_ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) {
      expect(isProxyErrorCode(c)).toBe(true);
      expect(isReservedJsonRpcErrorCode(c)).toBe(false);
      expect(defaultErrorMessage(c)).toEqual(expect.any(String));
    }
  });

  it.each([
    [-31000, true],
    [-31099, true],
    [-31100, false],
    [-30999, false],
    [-32000, false],
    [-31000.5, false],
  ])('isProxyErrorCode(%p) = %p', (code, expected) => {
    expect(isProxyErrorCode(code)).toBe(expected);
  });

  it.each([
    [-32768, true],
    [-32000, true],
    [-32700, true],
    [-31999, false],
    [-32769, false],
  ])('isReservedJsonRpcErrorCode(%p) = %p', (code, expected) => {
    expect(isReservedJsonRpcErrorCode(code)).toBe(expected);
  });
});
