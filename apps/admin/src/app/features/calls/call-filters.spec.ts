import { callQueryParams, EMPTY_CALL_FILTERS, formatPayload, percent } from './call-filters';

describe('callQueryParams', () => {
  it('leaves blanks out and sends only the limit without filters', () => {
    expect(callQueryParams(EMPTY_CALL_FILTERS, 100)).toEqual({ limit: '100' });
  });

  it('trims text filters, keeps the outcome and the cursor, and includes the "to" day whole', () => {
    const params = callQueryParams(
      { service: ' everything ', tool: 'echo', principal: 'alice', outcome: 'error', from: '2025-03-01', to: '2025-03-02' },
      50,
      'abc',
    );
    expect(params).toMatchObject({ limit: '50', service: 'everything', tool: 'echo', principal: 'alice', outcome: 'error', cursor: 'abc' });
    expect(new Date(params['from'] ?? '').getDate()).toBe(1);
    expect(new Date(params['to'] ?? '').getDate()).toBe(3);
  });
});

describe('formatPayload', () => {
  it('indents whole JSON and shows a cut payload as stored', () => {
    expect(formatPayload('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(formatPayload('{"a":"xx…[truncated 9 bytes]')).toBe('{"a":"xx…[truncated 9 bytes]');
    expect(formatPayload(null)).toBe('');
  });
});

describe('percent', () => {
  it('rounds to a tenth', () => {
    expect(percent(0)).toBe('0 %');
    expect(percent(0.1234)).toBe('12.3 %');
    expect(percent(1)).toBe('100 %');
  });
});
