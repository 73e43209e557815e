import { MASKED_VALUE } from '@mcp-proxy/shared/dto';

/** Shorter values would mask ordinary words and numbers all over the log. */
export const MIN_MASKED_SECRET_LENGTH = 4;

/** Replaces every occurrence of known secret values in a line with `********`. */
export class SecretMasker {
  private readonly pattern: RegExp | null;

  constructor(values: Iterable<string>) {
    const secrets = [...new Set(values)].filter((value) => value.length >= MIN_MASKED_SECRET_LENGTH);
    // Longest first, so a secret that contains another is masked whole rather than in pieces.
    secrets.sort((a, b) => b.length - a.length);
    this.pattern = secrets.length > 0 ? new RegExp(secrets.map(escapeRegExp).join('|'), 'g') : null;
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASKED_VALUE) : text;
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
