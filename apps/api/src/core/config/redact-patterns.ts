/**
 * CALL_LOG_REDACT_PATTERNS: what the call history blanks in the arguments and results it stores (ECMAScript
 * regular expressions, as a JSON array of strings). The defaults catch private key blocks, bearer credentials,
 * JWTs, well-known API key shapes (`sk-…`-style, GitHub, AWS, Slack, Google, this proxy's own client tokens)
 * and e-mail addresses.
 */
export const DEFAULT_REDACT_PATTERNS: readonly string[] = [
  '-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----',
  '\\b[Bb]earer\\s+[A-Za-z0-9._~+/=-]{8,}',
  '\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}',
  '\\b(?:sk|pk|rk)[-_][A-Za-z0-9_-]{16,}',
  '\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}',
  '\\bgithub_pat_[A-Za-z0-9_]{20,}',
  '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b',
  '\\bxox[abposr]-[A-Za-z0-9-]{10,}',
  '\\bAIza[0-9A-Za-z_-]{30,}',
  '\\bmcpt_[A-Za-z0-9_-]{16,}',
  '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}',
];

/** Parses the setting: a JSON array of regular expressions; throws a message naming what is wrong. */
export function parseRegexList(raw: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON array of regular expressions, e.g. ["\\\\bsecret-[0-9]+"]');
  }
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string'))
    throw new Error('must be a JSON array of strings (regular expressions)');
  for (const source of value) {
    try {
      new RegExp(source, 'g');
    } catch {
      throw new Error(`has "${source}", which is not a valid regular expression`);
    }
  }
  return value;
}
