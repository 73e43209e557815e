import { DEFAULT_REDACT_PATTERNS, parseRegexList } from '../core/config/redact-patterns';
import { compilePatterns, REDACTED, redactValue, rulesFor, storedPayload, truncateUtf8 } from './payload-redaction';

const defaults = rulesFor([], compilePatterns(DEFAULT_REDACT_PATTERNS));

describe('redactValue with the default patterns', () => {
  it.each([
    ['an e-mail address', 'write to alice.smith+x@mail.example.org today', `write to ${REDACTED} today`],
    ['a bearer credential', 'Authorization: Bearer abcdefghijklmnop', `Authorization: ${REDACTED}`],
    ['a JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX2hlcmU ok', `token ${REDACTED} ok`],
    ['an sk- key', 'key sk-proj-abcdefghijklmnopqrstuv', `key ${REDACTED}`],
    ['a GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', REDACTED],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE', REDACTED],
    ["this proxy's client token", 'mcpt_abcdefghijklmnopqrstuvwxyz', REDACTED],
    ['a private key block', '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----', REDACTED],
    ['plain text', 'the weather in Paris is 21 degrees', 'the weather in Paris is 21 degrees'],
  ])('%s', (_name, text, expected) => {
    expect(redactValue(text, defaults)).toBe(expected);
  });
});

describe('redactValue', () => {
  it("replaces the service's secret values anywhere, keys and nested arrays included, longest first", () => {
    const rules = rulesFor(['token-123', 'token-1234567', 'ab'], []);
    expect(redactValue({ a: ['x token-1234567 y', { 'token-123': 1 }], n: 5, ok: true, none: null }, rules)).toEqual({
      a: [`x ${REDACTED} y`, { [REDACTED]: 1 }],
      n: 5,
      ok: true,
      none: null,
    });
    // Too short to search for: "ab" would blank ordinary words.
    expect(redactValue('abc', rules)).toBe('abc');
  });

  it('blanks the string values of properties named like secrets, and leaves numbers such as max_tokens', () => {
    expect(
      redactValue({ password: 'p', apiKey: 'k', Authorization: 'x', access_token: 't', max_tokens: 100, name: 'n' }, defaults),
    ).toEqual({
      password: REDACTED,
      apiKey: REDACTED,
      Authorization: REDACTED,
      access_token: REDACTED,
      max_tokens: 100,
      name: 'n',
    });
  });
});

describe('storedPayload', () => {
  it('stores redacted JSON, parses raw JSON text first, keeps non-JSON text as a string, and has nothing for none', () => {
    const rules = rulesFor(['s3cr3t'], []);
    expect(storedPayload({ q: 'a s3cr3t' }, rules, 100)).toBe(`{"q":"a ${REDACTED}"}`);
    expect(storedPayload('{"q":"a s3cr3t"}', rules, 100)).toBe(`{"q":"a ${REDACTED}"}`);
    expect(storedPayload(Buffer.from('{"q":1}'), rules, 100)).toBe('{"q":1}');
    expect(storedPayload('not json s3cr3t', rules, 100)).toBe(`"not json ${REDACTED}"`);
    expect(storedPayload(undefined, rules, 100)).toBeNull();
  });

  it('cuts what is too long after redacting, so a secret across the cut is never half kept', () => {
    const stored = storedPayload({ text: `${'x'.repeat(20)}s3cr3t${'y'.repeat(100)}` }, rulesFor(['s3cr3t'], []), 40);
    expect(stored).toMatch(/^\{"text":"x{20}\[REDACTED/);
    expect(stored).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(stored).not.toContain('s3cr3t');
  });
});

describe('truncateUtf8', () => {
  it('never cuts inside a character and says how much was left out', () => {
    expect(truncateUtf8('héllo', 100)).toBe('héllo');
    expect(truncateUtf8('ééé', 3)).toBe('é…[truncated 4 bytes]');
  });
});

describe('parseRegexList (CALL_LOG_REDACT_PATTERNS)', () => {
  it('takes a JSON array of regular expressions and names what is wrong otherwise', () => {
    expect(parseRegexList('["a+", "\\\\d{3}"]')).toEqual(['a+', '\\d{3}']);
    expect(parseRegexList('[]')).toEqual([]);
    expect(() => parseRegexList('a+')).toThrow(/JSON array/);
    expect(() => parseRegexList('[1]')).toThrow(/strings/);
    expect(() => parseRegexList('["(unclosed"]')).toThrow(/"\(unclosed", which is not a valid regular expression/);
    expect(parseRegexList(JSON.stringify(DEFAULT_REDACT_PATTERNS))).toEqual(DEFAULT_REDACT_PATTERNS);
  });
});
