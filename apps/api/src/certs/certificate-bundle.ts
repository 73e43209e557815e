import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate chain (leaf first) and its private key, both PEM. */
export interface CertificateBundle {
  certPem: string;
  keyPem: string;
}

/** What a user (and the renewal plan) needs to know about a leaf certificate. */
export interface CertificateFacts {
  /** `CN=R11, O=Let's Encrypt, C=US` */
  issuer: string;
  /** Upper-case hex, as TLS clients print it. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** DNS names and IP addresses the certificate covers. */
  altNames: string[];
}

/** Reads the leaf (first certificate) of a PEM chain. Throws on anything that is not a certificate. */
export function readCertificate(certPem: string): CertificateFacts {
  const leaf = new X509Certificate(certPem);
  return {
    issuer: leaf.issuer.split('\n').reverse().join(', '),
    serialNumber: leaf.serialNumber.toUpperCase(),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    altNames: altNamesOf(leaf.subjectAltName),
  };
}

/** Checks that the key belongs to the leaf, so a damaged file never reaches the TLS server. */
export function checkBundle(bundle: CertificateBundle): void {
  const leaf = new X509Certificate(bundle.certPem);
  if (!leaf.checkPrivateKey(createPrivateKey(bundle.keyPem))) throw new Error('The private key does not match the certificate');
}

/** `DNS:example.com, IP Address:127.0.0.1` → `['example.com', '127.0.0.1']` */
function altNamesOf(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(', ')
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry)?.[1])
    .filter((name): name is string => name !== undefined)
    .map(canonicalName);
}

/** OpenSSL spells IPv6 SANs in full (`0:0:0:0:0:0:0:1`); the URL parser gives the short form users write (`::1`). */
function canonicalName(name: string): string {
  return isIP(name) === 6 ? new URL(`http://[${name}]`).hostname.slice(1, -1) : name.toLowerCase();
}

/** Whether a certificate's names are exactly the ones wanted (order aside). */
export function coversExactly(altNames: string[], wanted: string[]): boolean {
  const have = new Set(altNames.map(canonicalName));
  return have.size === wanted.length && wanted.every((name) => have.has(canonicalName(name)));
}
