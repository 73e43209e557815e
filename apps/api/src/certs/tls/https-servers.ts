import { Injectable } from '@nestjs/common';
import { createServer, Server } from 'node:https';
import { createSecureContext } from 'node:tls';
import { HSTS_HEADER_VALUE } from '../../core/http/security-headers';
import type { CertificateBundle } from '../certificate-bundle';

/**
 * The HTTPS listeners and the certificate they present: the TLS server seam. A new certificate
 * replaces the secure context of every listener in place (`setSecureContext`): new handshakes get
 * it, connections already open keep theirs, and nothing restarts.
 */
@Injectable()
export class HttpsServers {
  private readonly servers = new Set<Server>();
  private current: CertificateBundle | undefined;

  use(bundle: CertificateBundle): void {
    // Throws on a bad pair before any listener sees it.
    createSecureContext({ cert: bundle.certPem, key: bundle.keyPem });
    this.current = bundle;
    for (const server of this.servers) server.setSecureContext({ cert: bundle.certPem, key: bundle.keyPem });
  }

  /** A listener with the current certificate that sends HSTS on every response (API, MCP lanes and admin UI alike). */
  create(): Server {
    if (!this.current) throw new Error('No certificate is loaded yet: the certs module prepares one when the app starts');
    const server = createServer({ cert: this.current.certPem, key: this.current.keyPem });
    // Registered before the app's own listener, so the header is set before anything writes.
    server.on('request', (_request, response) => response.setHeader('Strict-Transport-Security', HSTS_HEADER_VALUE));
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
    return server;
  }
}
