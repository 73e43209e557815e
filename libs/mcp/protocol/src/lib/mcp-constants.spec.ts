import {
  CACHEABLE_RESULT_METHODS,
  compareProtocolVersions,
  DEFAULT_PROTOCOL_VERSION_WITHOUT_HEADER,
  INITIALIZE_PROTOCOL_VERSIONS,
  isProtocolVersionString,
  isStatelessProtocolVersion,
  isSupportedProtocolVersion,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  LATEST_PROTOCOL_VERSION,
  latestProtocolVersion,
  MCP_HEADERS,
  MCP_METHODS,
  MCP_NAME_SOURCE_FIELD,
  negotiateInitializeProtocolVersion,
  negotiateProtocolVersion,
  protocolVersionAllowsBatch,
  SUPPORTED_PROTOCOL_VERSIONS,
} from './mcp-constants';

describe('protocol versions', () => {
  it('lists the supported revisions oldest first with the right latest', () => {
    expect([...SUPPORTED_PROTOCOL_VERSIONS]).toEqual(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);
    expect(LATEST_PROTOCOL_VERSION).toBe('2026-07-28');
    expect(LATEST_INITIALIZE_PROTOCOL_VERSION).toBe('2025-11-25');
    expect(INITIALIZE_PROTOCOL_VERSIONS).toEqual(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']);
    expect(DEFAULT_PROTOCOL_VERSION_WITHOUT_HEADER).toBe('2025-03-26');
  });

  describe('negotiateProtocolVersion (echo if supported, else latest supported)', () => {
    it.each([
      ['2024-11-05', '2024-11-05'],
      ['2025-03-26', '2025-03-26'],
      ['2025-06-18', '2025-06-18'],
      ['2025-11-25', '2025-11-25'],
      ['2026-07-28', '2026-07-28'],
      ['2099-01-01', '2026-07-28'],
      ['1900-01-01', '2026-07-28'],
      ['1.0.0', '2026-07-28'],
      ['', '2026-07-28'],
      [' 2025-06-18', '2026-07-28'],
      [undefined, '2026-07-28'],
      [null, '2026-07-28'],
      [20250618, '2026-07-28'],
      [{}, '2026-07-28'],
    ])('requested %p → %p', (requested, expected) => {
      expect(negotiateProtocolVersion(requested)).toBe(expected);
    });

    it.each([
      [['2025-03-26', '2024-11-05'], '2025-06-18', '2025-03-26'],
      [['2025-03-26', '2024-11-05'], '2024-11-05', '2024-11-05'],
      [['2024-11-05'], '2025-11-25', '2024-11-05'],
      [['2025-11-25', '2025-06-18'], 'garbage', '2025-11-25'],
    ])('custom supported %p, requested %p → %p (latest by date, not position)', (supported, requested, expected) => {
      expect(negotiateProtocolVersion(requested, supported)).toBe(expected);
    });

    it('throws when nothing is supported', () => {
      expect(() => negotiateProtocolVersion('2025-06-18', [])).toThrow(RangeError);
    });
  });

  describe('negotiateInitializeProtocolVersion (never answers a stateless revision)', () => {
    it.each([
      ['2024-11-05', '2024-11-05'],
      ['2025-06-18', '2025-06-18'],
      ['2025-11-25', '2025-11-25'],
      ['2026-07-28', '2025-11-25'],
      ['2099-01-01', '2025-11-25'],
      [undefined, '2025-11-25'],
    ])('requested %p → %p', (requested, expected) => {
      expect(negotiateInitializeProtocolVersion(requested)).toBe(expected);
    });

    it('throws if only stateless versions are supported', () => {
      expect(() => negotiateInitializeProtocolVersion('2025-06-18', ['2026-07-28'])).toThrow(RangeError);
    });
  });

  it.each([
    ['2026-07-28', true],
    ['2027-01-01', true],
    ['2025-11-25', false],
    ['2024-11-05', false],
    ['draft', false],
    [undefined, false],
  ])('isStatelessProtocolVersion(%p) = %p', (v, expected) => {
    expect(isStatelessProtocolVersion(v)).toBe(expected);
  });

  it.each([
    ['2025-03-26', true],
    ['2024-11-05', false],
    ['2025-06-18', false],
    ['2026-07-28', false],
  ])('protocolVersionAllowsBatch(%p) = %p', (v, expected) => {
    expect(protocolVersionAllowsBatch(v)).toBe(expected);
  });

  it.each([
    ['2025-06-18', true],
    ['2025-6-18', false],
    ['latest', false],
    [42, false],
  ])('isProtocolVersionString(%p) = %p', (v, expected) => {
    expect(isProtocolVersionString(v)).toBe(expected);
  });

  it('compare / latest / supported', () => {
    expect(compareProtocolVersions('2025-03-26', '2025-06-18')).toBeLessThan(0);
    expect(compareProtocolVersions('2025-06-18', '2025-06-18')).toBe(0);
    expect(compareProtocolVersions('2026-07-28', '2025-11-25')).toBeGreaterThan(0);
    expect(latestProtocolVersion(['2025-06-18', '2026-07-28', '2024-11-05'])).toBe('2026-07-28');
    expect(latestProtocolVersion([])).toBeUndefined();
    expect(isSupportedProtocolVersion('2025-06-18')).toBe(true);
    expect(isSupportedProtocolVersion('2025-06-18', ['2026-07-28'])).toBe(false);
    expect(isSupportedProtocolVersion(1)).toBe(false);
  });
});

describe('header names', () => {
  it('are lower-case for Node', () => {
    expect(MCP_HEADERS).toEqual({
      SESSION_ID: 'mcp-session-id',
      PROTOCOL_VERSION: 'mcp-protocol-version',
      METHOD: 'mcp-method',
      NAME: 'mcp-name',
      PARAM_PREFIX: 'mcp-param-',
      LAST_EVENT_ID: 'last-event-id',
    });
    for (const v of Object.values(MCP_HEADERS)) expect(v).toBe(v.toLowerCase());
  });
});

describe('method names', () => {
  it.each([
    ['INITIALIZE', 'initialize'],
    ['INITIALIZED', 'notifications/initialized'],
    ['PING', 'ping'],
    ['CANCELLED', 'notifications/cancelled'],
    ['PROGRESS', 'notifications/progress'],
    ['TOOLS_LIST', 'tools/list'],
    ['TOOLS_CALL', 'tools/call'],
    ['RESOURCES_LIST', 'resources/list'],
    ['RESOURCES_TEMPLATES_LIST', 'resources/templates/list'],
    ['RESOURCES_READ', 'resources/read'],
    ['RESOURCES_SUBSCRIBE', 'resources/subscribe'],
    ['RESOURCES_UNSUBSCRIBE', 'resources/unsubscribe'],
    ['PROMPTS_LIST', 'prompts/list'],
    ['PROMPTS_GET', 'prompts/get'],
    ['TOOLS_LIST_CHANGED', 'notifications/tools/list_changed'],
    ['RESOURCES_LIST_CHANGED', 'notifications/resources/list_changed'],
    ['PROMPTS_LIST_CHANGED', 'notifications/prompts/list_changed'],
    ['RESOURCES_UPDATED', 'notifications/resources/updated'],
    ['SERVER_DISCOVER', 'server/discover'],
    ['SUBSCRIPTIONS_LISTEN', 'subscriptions/listen'],
  ] as const)('%s = %s', (key, value) => {
    expect(MCP_METHODS[key]).toBe(value);
  });

  it('Mcp-Name sources and cacheable methods', () => {
    expect(MCP_NAME_SOURCE_FIELD).toEqual({
      'tools/call': 'name',
      'prompts/get': 'name',
      'resources/read': 'uri',
    });
    expect(CACHEABLE_RESULT_METHODS).toEqual(
      expect.arrayContaining(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']),
    );
  });
});
