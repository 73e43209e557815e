import { KeyObject, sign, verify } from 'node:crypto';

export interface JwtHeader {
  alg: 'ES256';
  typ: string;
  kid: string;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Compact JWS with ES256 (RFC 7515/7518): what our access tokens are. */
export function signJwt(header: JwtHeader, claims: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** The header, without trusting it yet: it names the key to check the signature with. Null when not a JWT. */
export function peekHeader(token: string): Partial<JwtHeader> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    return header && typeof header === 'object' ? (header as Partial<JwtHeader>) : null;
  } catch {
    return null;
  }
}

/** The claims when the signature holds, else null. Expiry and audience are the caller's to check. */
export function verifyJwt(token: string, publicKey: KeyObject): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const ok = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(parts[2], 'base64url'),
  );
  if (!ok) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
