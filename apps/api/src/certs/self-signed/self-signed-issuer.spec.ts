import { createSecureContext } from 'node:tls';
import { checkBundle, coversExactly, readCertificate } from '../certificate-bundle';
import { SelfSignedIssuer } from './self-signed-issuer';

describe('SelfSignedIssuer', () => {
  it('makes a one-year certificate for the names and loopback addresses, usable by a TLS server', async () => {
    const names = ['proxy.example.com', 'localhost', '127.0.0.1', '::1'];
    const bundle = await new SelfSignedIssuer().issue(names, new Date('2026-03-01T00:00:00Z'));

    checkBundle(bundle);
    expect(() => createSecureContext({ cert: bundle.certPem, key: bundle.keyPem })).not.toThrow();
    const facts = readCertificate(bundle.certPem);
    expect(coversExactly(facts.altNames, names)).toBe(true);
    expect(facts.issuer).toBe('CN=proxy.example.com');
    expect(facts.notAfter.toISOString()).toBe('2027-03-01T00:00:00.000Z');
  });
});
