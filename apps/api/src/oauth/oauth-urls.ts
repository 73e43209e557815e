import { Injectable } from '@nestjs/common';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../core/config/app-config';
import { ClientOrigin } from '../core/http/client-origin';
import { publicBaseUrl } from '../core/http/public-url';
import { ServicesService } from '../services/services.service';
import { OriginPolicy } from '../core/http/origin-policy';

/** The issuer and resource URLs, and which `oauth` service a resource URL names. */
@Injectable()
export class OAuthUrls {
  private readonly publicUrl: string | undefined;
  private readonly hosts: OriginPolicy;

  constructor(
    config: AppConfig,
    private readonly services: ServicesService,
    private readonly client: ClientOrigin,
  ) {
    this.publicUrl = config.get('PUBLIC_URL');
    const publicHost = this.publicUrl ? new URL(this.publicUrl).hostname : undefined;
    this.hosts = new OriginPolicy([
      config.get('DOMAIN'),
      config.get('PUBLIC_IP'),
      config.get('PRIVATE_IP'),
      publicHost,
      ...config.get('ALLOWED_HOSTS'),
    ]);
  }

  /** The issuer: our public origin (see PUBLIC_URL). */
  issuer(request: IncomingMessage): string | null {
    return publicBaseUrl(this.publicUrl, request, this.client, (host) => this.hosts.allows(undefined, host));
  }

  /** The `oauth` service whose resource URL (`<issuer><proxy.path>`) this is, or null. */
  async serviceForResource(resource: string, issuer: string): Promise<ServiceView | null> {
    if (!resource.startsWith(`${issuer}/`)) return null;
    return this.serviceForPath(resource.slice(issuer.length));
  }

  async serviceForPath(path: string): Promise<ServiceView | null> {
    const services = await this.services.list();
    return services.find((service) => service.proxy.path === path && service.proxy.auth === 'oauth') ?? null;
  }

  async anyOAuthService(): Promise<boolean> {
    return (await this.services.list()).some((service) => service.proxy.auth === 'oauth');
  }

  async serviceById(id: string): Promise<ServiceView | null> {
    return (await this.services.list()).find((service) => service.id === id) ?? null;
  }
}
