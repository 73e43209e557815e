import type { IncomingHttpHeaders } from 'node:http';

/** One cookie's value from a Cookie header (URL-decoded), or null when absent or malformed. */
export function cookieValue(header: IncomingHttpHeaders['cookie'], name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
