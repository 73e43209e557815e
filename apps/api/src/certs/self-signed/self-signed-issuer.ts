import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';
import type { CertificateBundle } from '../certificate-bundle';

const VALIDITY_DAYS = 365;
/** Clients whose clock runs a little behind still accept a certificate made a second ago. */
const BACKDATE_MS = 5 * 60_000;

/** Makes a self-signed certificate: development, and the stand-in while an ACME order is pending. */
@Injectable()
export class SelfSignedIssuer {
  async issue(names: string[], now = new Date()): Promise<CertificateBundle> {
    const notBeforeDate = new Date(now.getTime() - BACKDATE_MS);
    const notAfterDate = new Date(now.getTime() + VALIDITY_DAYS * 86_400_000);
    const pems = await generate([{ name: 'commonName', value: names[0] }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: names.map((name) => (isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })),
        },
      ],
    });
    return { certPem: pems.cert, keyPem: pems.private };
  }
}
