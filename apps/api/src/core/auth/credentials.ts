import { API_KEY_HEADER } from '@mcp-proxy/shared/dto';
import type { IncomingHttpHeaders } from 'node:http';

/** The credential a request carries: `X-API-Key`, else `Authorization: Bearer`. */
export function extractCredential(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers[API_KEY_HEADER];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey;
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}
