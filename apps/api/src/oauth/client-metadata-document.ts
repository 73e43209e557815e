import { createHash } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { OAuthError } from './oauth-error';

/** draft-ietf-oauth-client-id-metadata-document: documents are small; 5 KB is the suggested ceiling. */
export const DOCUMENT_MAX_BYTES = 5 * 1024;
/** The whole fetch — connect, headers and body — ends by then: a server dripping a byte a second is cut off. */
export const FETCH_DEADLINE_MS = 5_000;
/** Fetches in flight at once in this process; past it a request is refused at once rather than queued. */
export const MAX_CONCURRENT_FETCHES = 8;
let inFlight = 0;
const CACHE_MIN_MS = 60_000;
const CACHE_MAX_MS = 24 * 60 * 60 * 1000;
const CACHE_DEFAULT_MS = 5 * 60 * 1000;

/** Loopback: refused unless the test/dev setting allows it. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Never fetched (SSRF): private, link-local, shared, reserved, multicast and documentation ranges. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** A client_id that is a URL (a metadata document) rather than one we issued. */
export function isDocumentClientId(clientId: string | null | undefined): clientId is string {
  return !!clientId && /^https?:\/\//i.test(clientId);
}

/**
 * The id under which a document client is stored: derived from its URL (so every instance agrees
 * without a look-up), version nibble 8 so it never equals a random v4 id of a registered client.
 */
export function storedIdFor(url: string): string {
  const hex = createHash('sha256').update(url).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface FetchedDocument {
  body: Record<string, unknown>;
  /** How long the document may be used before it is fetched again (Cache-Control, within bounds). */
  cacheMs: number;
}

/** Checks the URL's form (https, a path, no credentials, fragment or dot segments) and returns it parsed. */
export function documentUrl(clientId: string, allowHttpLoopback: boolean): URL {
  const refuse = (why: string): never => {
    throw new OAuthError('invalid_client', `client_id ${clientId.slice(0, 200)} is not an allowed metadata document URL: ${why}`);
  };
  if (clientId.length > 2000) refuse('longer than 2000 characters');
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return refuse('not a URL');
  }
  if (url.href !== clientId) refuse('not in normalized form');
  if (url.username || url.password) refuse('credentials are not allowed');
  if (url.hash) refuse('a fragment is not allowed');
  if (url.pathname === '/' || /\/\.\.?(\/|$)/.test(url.pathname)) refuse('it needs a path, without . or .. segments');
  if (url.protocol === 'http:') {
    if (!allowHttpLoopback || !isLoopbackHost(url.hostname)) refuse('only https is allowed');
  } else if (url.protocol !== 'https:') {
    refuse('only https is allowed');
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !addressAllowed(literal, allowHttpLoopback)) refuse('it points to a private or reserved address');
  return url;
}

/**
 * GETs the document within a total deadline and a size limit, following no redirect, connecting
 * only to public addresses (checked on the resolved address, so DNS cannot point it inward), and
 * never more than MAX_CONCURRENT_FETCHES at once.
 */
export async function fetchDocument(url: URL, allowLoopback: boolean): Promise<FetchedDocument> {
  if (inFlight >= MAX_CONCURRENT_FETCHES) {
    throw new OAuthError(
      'temporarily_unavailable',
      'Too many client metadata documents are being fetched right now; try again in a few seconds',
      503,
    );
  }
  inFlight++;
  try {
    return await fetchWithin(url, allowLoopback, FETCH_DEADLINE_MS);
  } finally {
    inFlight--;
  }
}

function fetchWithin(url: URL, allowLoopback: boolean, deadlineMs: number): Promise<FetchedDocument> {
  const fail = (why: string): OAuthError => new OAuthError('invalid_client', `Client metadata document ${url.href} refused: ${why}`);
  return new Promise((succeed, failWith) => {
    // Rejected before the socket is destroyed, so the deadline's reason is the one reported.
    const deadline = setTimeout(() => {
      const error = fail(`the whole document did not arrive within ${deadlineMs} ms`);
      reject(error);
      request.destroy(error);
    }, deadlineMs);
    const resolve = (document: FetchedDocument): void => {
      clearTimeout(deadline);
      succeed(document);
    };
    const reject = (error: OAuthError): void => {
      clearTimeout(deadline);
      failWith(error);
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(
      url,
      { timeout: deadlineMs, headers: { accept: 'application/json' }, lookup: guardedLookup(allowLoopback), agent: false },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          response.resume();
          return reject(fail(status >= 300 && status < 400 ? 'redirects are not followed' : `answered HTTP ${status}`));
        }
        if (Number(response.headers['content-length'] ?? 0) > DOCUMENT_MAX_BYTES) {
          request.destroy();
          return reject(fail(`larger than ${DOCUMENT_MAX_BYTES} bytes`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > DOCUMENT_MAX_BYTES) {
            request.destroy();
            reject(fail(`larger than ${DOCUMENT_MAX_BYTES} bytes`));
          } else chunks.push(chunk);
        });
        response.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(fail('not JSON'));
          }
          if (!body || typeof body !== 'object' || Array.isArray(body)) return reject(fail('not a JSON object'));
          resolve({ body: body as Record<string, unknown>, cacheMs: cacheLifetime(response.headers['cache-control']) });
        });
        response.on('error', () => reject(fail('the connection broke')));
      },
    );
    request.on('timeout', () => request.destroy(fail(`no answer within ${deadlineMs} ms`)));
    request.on('error', (error) => reject(error instanceof OAuthError ? error : fail(error.message)));
  });
}

/** max-age clamped to [1 min, 24 h]; no-store or no-cache still keeps it a minute (bounded re-fetching). */
export function cacheLifetime(header: string | undefined): number {
  if (!header) return CACHE_DEFAULT_MS;
  if (/\b(no-store|no-cache)\b/i.test(header)) return CACHE_MIN_MS;
  const maxAge = /\bmax-age=(\d+)/i.exec(header);
  if (!maxAge) return CACHE_DEFAULT_MS;
  return Math.min(CACHE_MAX_MS, Math.max(CACHE_MIN_MS, Number(maxAge[1]) * 1000));
}

function isLoopbackHost(hostname: string): boolean {
  const literal = hostname.replace(/^\[|\]$/g, '');
  return hostname === 'localhost' || (isIP(literal) !== 0 && LOOPBACK.check(literal, isIP(literal) === 6 ? 'ipv6' : 'ipv4'));
}

function addressAllowed(address: string, allowLoopback: boolean): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1] : address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(ip, family)) return allowLoopback;
  return !PRIVATE.check(ip, family);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, refusing the connection when any resolved address is private. */
function guardedLookup(allowLoopback: boolean) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      const refused = addresses.find((entry) => !addressAllowed(entry.address, allowLoopback));
      if (refused || addresses.length === 0)
        return callback(Object.assign(new Error(`${hostname} resolves to a private or reserved address`), { code: 'EADDRNOTALLOWED' }), []);
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
