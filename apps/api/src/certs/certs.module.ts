import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { AcmeIssuer } from './acme/acme-issuer';
import { CloudflareDns } from './acme/cloudflare-dns';
import { Dns01Solver } from './acme/dns01-solver';
import { Http01Challenges } from './acme/http01-challenges';
import { TxtLookup } from './acme/txt-lookup';
import { CertificateManager } from './certificate-manager';
import { CertsController } from './certs.controller';
import { CERTS_SETTINGS, certsSettingsFrom } from './certs-settings';
import { SelfSignedIssuer } from './self-signed/self-signed-issuer';
import { CertFiles } from './storage/cert-files';
import { CertificateStore } from './storage/certificate-store';
import { ForceSsl } from './tls/force-ssl';
import { HttpsServers } from './tls/https-servers';

/**
 * HTTPS: certificates from an ACME directory (HTTP-01 or DNS-01 through Cloudflare) or self-signed,
 * stored under DATA_DIR/certs, renewed and swapped into the running listener; and FORCE_SSL.
 * Exports what the app's listeners need: the HTTPS server factory, the redirect, and the manager to start.
 */
@Module({
  controllers: [CertsController],
  providers: [
    { provide: CERTS_SETTINGS, inject: [AppConfig], useFactory: certsSettingsFrom },
    CertificateManager,
    CertificateStore,
    CertFiles,
    AcmeIssuer,
    Http01Challenges,
    Dns01Solver,
    CloudflareDns,
    TxtLookup,
    SelfSignedIssuer,
    HttpsServers,
    ForceSsl,
  ],
  exports: [CertificateManager, HttpsServers, ForceSsl],
})
export class CertsModule {}
