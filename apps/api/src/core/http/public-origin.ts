import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/app-config';
import { ClientOrigin } from './client-origin';
import { OriginPolicy } from './origin-policy';
import { publicBaseUrl } from './public-url';

/**
 * The proxy's public origin for the URLs it hands out (OAuth issuer, redirect URIs): PUBLIC_URL, else the origin
 * the browser used when its host is one we serve (DOMAIN, the public and private IPs, ALLOWED_HOSTS); null
 * otherwise, so a forged Host never ends up in a redirect.
 */
@Injectable()
export class PublicOrigin {
  private readonly configured: string | undefined;
  private readonly hosts: OriginPolicy;

  constructor(
    config: AppConfig,
    private readonly client: ClientOrigin,
  ) {
    this.configured = config.get('PUBLIC_URL');
    this.hosts = new OriginPolicy([
      config.get('DOMAIN'),
      config.get('PUBLIC_IP'),
      config.get('PRIVATE_IP'),
      this.configured ? new URL(this.configured).hostname : undefined,
      ...config.get('ALLOWED_HOSTS'),
    ]);
  }

  of(request: IncomingMessage): string | null {
    return publicBaseUrl(this.configured, request, this.client, (host) => this.hosts.allows(undefined, host));
  }
}
