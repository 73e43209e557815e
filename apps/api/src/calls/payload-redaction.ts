/**
 * What the call history stores of a call's arguments and result, for a service that keeps them: the JSON with
 * secrets replaced, then cut to a size. Pure: the writer calls it off the hot path, in batches.
 *
 * Replaced: the service's own secret values (environment, remote headers) wherever they appear, any text that
 * matches one of the patterns (CALL_LOG_REDACT_PATTERNS: keys, bearer tokens, JWTs, e-mails by default), and
 * the string value of a property whose name says it holds a secret (`password`, `apiKey`, `authorization` …).
 */

export const REDACTED = '[REDACTED]';

/** Property names whose string values are secrets whatever they look like. */
const SECRET_NAME = /passw(?:or)?d|passphrase|^pass$|secret|token$|api[-_]?key|authorization|cookie|credential|private[-_]?key/i;

/** Shorter secret values are not searched for: "1" or "true" would blank half a payload. */
const MIN_SECRET_LENGTH = 4;

export interface RedactionRules {
  /** Values to replace wherever they occur (the service's secrets). */
  secrets: readonly string[];
  patterns: readonly RegExp[];
}

/** Compiles pattern sources (global, so every match is replaced); throws naming the first that is not a valid regular expression. */
export function compilePatterns(sources: readonly string[]): RegExp[] {
  return sources.map((source) => {
    try {
      return new RegExp(source, 'g');
    } catch (error) {
      throw new Error(`"${source}" is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/** The rules for one service: its secret values (longest first, so one containing another is replaced whole). */
export function rulesFor(secrets: Iterable<string>, patterns: readonly RegExp[]): RedactionRules {
  const kept = [...new Set([...secrets].filter((secret) => secret.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  return { secrets: kept, patterns };
}

function redactText(text: string, rules: RedactionRules): string {
  let out = text;
  for (const secret of rules.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const pattern of rules.patterns) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, REDACTED);
  }
  return out;
}

/** A copy of a JSON value with every secret replaced (strings everywhere, keys included, at any depth). */
export function redactValue(value: unknown, rules: RedactionRules): unknown {
  if (typeof value === 'string') return redactText(value, rules);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, rules));
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    out[redactText(name, rules)] = typeof item === 'string' && SECRET_NAME.test(name) ? REDACTED : redactValue(item, rules);
  }
  return out;
}

/** Parses a payload handed over as raw JSON text (or bytes); anything else is already a value. Text that is not JSON stays text. */
export function payloadValue(payload: unknown): unknown {
  const text = typeof payload === 'string' ? payload : payload instanceof Uint8Array ? Buffer.from(payload).toString('utf8') : null;
  if (text === null) return payload;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Cuts UTF-8 text to at most `maxBytes` (never inside a character), saying how much was left out. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return text;
  const cut = Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut}…[truncated ${bytes - Buffer.byteLength(cut)} bytes]`;
}

/** The stored form of a payload: redacted JSON, cut to `maxBytes`; null when there is none. */
export function storedPayload(payload: unknown, rules: RedactionRules, maxBytes: number): string | null {
  if (payload === undefined || payload === null) return null;
  const text = JSON.stringify(redactValue(payloadValue(payload), rules));
  // A secret split across the cut would survive redaction of the parts: redact before cutting, never after.
  return text === undefined ? null : truncateUtf8(text, maxBytes);
}
