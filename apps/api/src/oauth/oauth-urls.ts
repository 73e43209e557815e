import { Injectable } from '@nestjs/common';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import type { IncomingMessage } from 'node:http';
import { PublicOrigin } from '../core/http/public-origin';
import { ServicesService } from '../services/services.service';

/** The issuer and resource URLs, and which `oauth` service a resource URL names. */
@Injectable()
export class OAuthUrls {
  constructor(
    private readonly services: ServicesService,
    private readonly origin: PublicOrigin,
  ) {}

  /** The issuer: our public origin (see PUBLIC_URL). */
  issuer(request: IncomingMessage): string | null {
    return this.origin.of(request);
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
