import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { UpstreamConnectionView } from '@mcp-proxy/shared/dto';
import { Repository } from 'typeorm';
import { AppConfig } from '../core/config/app-config';
import { SecretBox } from '../core/crypto/secret-box';
import { inBackground } from '../core/logging/background';
import { Clock } from '../core/time/clock';
import type { RemoteBearer, RemoteSettings } from '../services/remote-settings';
import { ServicesService } from '../services/services.service';
import type { NamedLocks } from '../cluster/redis-lock';
import { ConnectionOwners } from './connection-owners';
import { connectPageUrl, NotConnectedError, ReconnectNeededError } from './connection-key';
import { UpstreamClientEntity, UpstreamConnectionEntity } from './upstream-auth.entities';
import { UpstreamClientDocument, upstreamClientDocument } from './upstream-client-document';
import { revocationEndpointOf, revokeTokens } from './upstream-revocation';
import {
  discoverAuthServer,
  OAuthTokens,
  refreshTokens,
  registerProxyClient,
  subjectOf,
  UpstreamAuthServer,
  UpstreamClient,
} from './upstream-oauth-client';

/** Refreshed this long before the access token expires, so a call in flight does not carry a dying token. */
const REFRESH_MARGIN_MS = 30_000;
/** Discovery is repeated at most this often per service (refreshes need the token endpoint). */
const DISCOVERY_TTL_MS = 10 * 60 * 1000;

/** One refresh of a connection at a time across instances (the cluster's Redis locks; alone, none). */
export const REFRESH_LOCKS = Symbol('REFRESH_LOCKS');

/** An oauth service as the connections need it. */
export interface OAuthService {
  id: string;
  name: string;
  settings: RemoteSettings;
}

/**
 * The upstream OAuth connections: tokens sealed at rest (SecretBox), refreshed before expiry, handed
 * only to the remote link as a Bearer header. Nothing here returns a token to a caller of the API.
 */
@Injectable()
export class UpstreamConnections {
  private readonly logger = new Logger('UpstreamConnections');
  private readonly discovered = new Map<string, { at: number; server: UpstreamAuthServer }>();
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(
    @InjectRepository(UpstreamConnectionEntity) private readonly connections: Repository<UpstreamConnectionEntity>,
    @InjectRepository(UpstreamClientEntity) private readonly clients: Repository<UpstreamClientEntity>,
    private readonly services: ServicesService,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly owners: ConnectionOwners,
    @Inject(REFRESH_LOCKS) private readonly locks: NamedLocks,
  ) {}

  /** The service and its settings; 404 unless it is a remote service with `auth: "oauth"`. */
  async oauthService(idOrName: string): Promise<OAuthService> {
    const view = await this.services.get(idOrName);
    const settings =
      view.remote?.auth === 'oauth' ? await this.services.remoteOf(view.id, await this.services.environmentOf(view.id)) : null;
    if (!settings?.oauth) throw new NotFoundException(`Service "${view.name}" is not a remote service with remote.auth "oauth"`);
    return { id: view.id, name: view.name, settings };
  }

  /** What the proxy serves at CLIENT_DOCUMENT_PATH; null while PUBLIC_URL is not https. */
  clientDocument(): UpstreamClientDocument | null {
    return upstreamClientDocument(this.config.get('PUBLIC_URL'));
  }

  connectUrl(serviceId: string): string {
    return connectPageUrl(this.config.get('PUBLIC_URL'), serviceId);
  }

  /** The connection a principal's calls use: `shared`, its owner's (`user:<id>`), or its own. */
  keyFor(service: OAuthService, principalId: string): Promise<string> {
    return this.owners.keyOf(service.settings.oauth?.connection ?? 'perUser', principalId);
  }

  async hasConnection(serviceId: string, key: string): Promise<boolean> {
    return (await this.connections.count({ where: { serviceId, principalKey: key } })) > 0;
  }

  async status(service: OAuthService, key: string): Promise<UpstreamConnectionView> {
    const row = await this.connections.findOne({ where: { serviceId: service.id, principalKey: key } });
    return {
      serviceId: service.id,
      connection: service.settings.oauth?.connection ?? 'perUser',
      connected: row !== null,
      subject: row?.subject ?? null,
      expiresAt: row?.expiresAt?.toISOString() ?? null,
      connectedAt: row?.createdAt.toISOString() ?? null,
      connectUrl: this.connectUrl(service.id),
    };
  }

  /** Removed here at once; then revoked at the provider, in the background (revokeAtProvider). */
  async disconnect(service: OAuthService, key: string): Promise<boolean> {
    const rows = await this.connections.find({ where: { serviceId: service.id, principalKey: key } });
    if (rows.length === 0) return false;
    await this.connections.delete(rows.map((row) => row.id));
    await this.revokeAtProvider(service, rows);
    return true;
  }

  /** Before a service goes: its connections' tokens are revoked at the provider while its settings still stand. */
  async revokeAllOf(serviceId: string): Promise<void> {
    const service = await this.oauthService(serviceId).catch(() => null);
    if (!service) return;
    await this.revokeAtProvider(service, await this.connections.find({ where: { serviceId } }));
  }

  async save(serviceId: string, key: string, tokens: OAuthTokens): Promise<void> {
    await this.connections.delete({ serviceId, principalKey: key });
    await this.connections.save(
      this.connections.create({
        serviceId,
        principalKey: key,
        tokensSealed: this.box.encryptJson(tokens),
        expiresAt: this.expiry(tokens),
        subject: subjectOf(tokens),
      }),
    );
  }

  /** The authorization server of the service (discovered, remembered a while). */
  async authServer(service: OAuthService): Promise<UpstreamAuthServer> {
    const cached = this.discovered.get(service.id);
    if (cached && this.clock.now() - cached.at < DISCOVERY_TTL_MS) return cached.server;
    const server = await discoverAuthServer(service.settings.url);
    this.discovered.set(service.id, { at: this.clock.now(), server });
    return server;
  }

  /**
   * The client the proxy is at this service's authorization server, in this order:
   * 1. the admin's pre-registered client: an explicit choice, and the only way to a confidential client
   *    or to a server that admits known clients only;
   * 2. the proxy's Client ID Metadata Document, when the server supports them and PUBLIC_URL is https:
   *    nothing to register or store, and the server checks the client against a URL under our domain;
   * 3. dynamic registration, once per service and redirect URI (kept sealed).
   * `redirectUri` null (a refresh): the client the same settings chose when connecting.
   */
  async clientFor(
    service: OAuthService,
    server: UpstreamAuthServer,
    redirectUri: string | null,
    stored?: UpstreamClientEntity | null,
  ): Promise<UpstreamClient> {
    const oauth = service.settings.oauth;
    if (oauth?.clientId) return { client_id: oauth.clientId, ...(oauth.clientSecret ? { client_secret: oauth.clientSecret } : {}) };
    const document = this.clientDocument();
    if (document && server.metadata.client_id_metadata_document_supported === true) {
      if (redirectUri === null || redirectUri === document.redirectUri) return { client_id: document.clientId };
    }
    const row = stored !== undefined ? stored : await this.clients.findOne({ where: { serviceId: service.id } });
    if (row && row.issuer === server.issuer && (redirectUri === null || row.redirectUri === redirectUri))
      return this.box.decryptJson<UpstreamClient>(row.clientSealed);
    if (redirectUri === null) throw new Error('the client registered with the authorization server is gone');
    const registered = await registerProxyClient(server, redirectUri);
    await this.clients.save({ serviceId: service.id, redirectUri, issuer: server.issuer, clientSealed: this.box.encryptJson(registered) });
    return registered;
  }

  /** What the link of one connection sends; NotConnectedError (at each use) while there is none. */
  bearer(service: OAuthService, key: string): RemoteBearer {
    return {
      token: () => this.accessToken(service, key, false, ''),
      renew: (refused) => this.accessToken(service, key, true, refused),
    };
  }

  /** The services' and principals' rows that are gone go too (called when services, users or credentials change). */
  async removeWhere(predicate: (row: { serviceId: string; principalKey: string }) => boolean): Promise<number> {
    const rows = await this.connections.find({ select: { id: true, serviceId: true, principalKey: true, tokensSealed: true } });
    const gone = rows.filter(predicate);
    if (gone.length === 0) return 0;
    await this.connections.delete(gone.map((row) => row.id));
    // Revoked where the service still stands (a removed principal); a removed service's were revoked as it went.
    for (const serviceId of new Set(gone.map((row) => row.serviceId))) {
      const service = await this.oauthService(serviceId).catch(() => null);
      if (service)
        await this.revokeAtProvider(
          service,
          gone.filter((row) => row.serviceId === serviceId),
        );
    }
    return gone.length;
  }

  async removeClientsWhere(predicate: (serviceId: string) => boolean): Promise<void> {
    const rows = await this.clients.find({ select: { serviceId: true } });
    const gone = rows.filter((row) => predicate(row.serviceId));
    if (gone.length > 0) await this.clients.delete(gone.map((row) => row.serviceId));
  }

  /**
   * RFC 7009 at the upstream's authorization server (when it offers revocation), best-effort and in the
   * background: the local removal is done already and never waits on the provider. The registered client is
   * read now, since it goes with its service.
   */
  private async revokeAtProvider(service: OAuthService, rows: Pick<UpstreamConnectionEntity, 'tokensSealed'>[]): Promise<void> {
    if (rows.length === 0) return;
    const registered = await this.clients.findOne({ where: { serviceId: service.id } });
    const revoke = async (): Promise<void> => {
      const server = await this.authServer(service);
      if (!revocationEndpointOf(server)) return;
      const client = await this.clientFor(service, server, null, registered);
      const outcomes = await Promise.allSettled(
        rows.map((row) => revokeTokens(server, client, this.box.decryptJson<OAuthTokens>(row.tokensSealed))),
      );
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      if (refused.length > 0)
        this.logger.warn(
          `Revoking ${refused.length} upstream OAuth connection(s) of "${service.name}" at ${server.issuer} failed: ${String((refused[0] as PromiseRejectedResult).reason)}`,
        );
    };
    inBackground(revoke(), 'UpstreamConnections', `Revoking upstream OAuth tokens of "${service.name}"`);
  }

  private async accessToken(service: OAuthService, key: string, force: boolean, refused: string): Promise<string> {
    const row = await this.connections.findOne({ where: { serviceId: service.id, principalKey: key } });
    const connectUrl = this.connectUrl(service.id);
    if (!row) throw new NotConnectedError(service.name, connectUrl, key === 'shared');
    const tokens = this.box.decryptJson<OAuthTokens>(row.tokensSealed);
    const dueAt = (row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) - REFRESH_MARGIN_MS;
    if (!force && this.clock.now() < dueAt) return tokens.access_token;
    if (!tokens.refresh_token)
      throw new ReconnectNeededError(
        service.name,
        connectUrl,
        force ? refused : 'the access token expired and no refresh token was issued',
      );
    // One refresh per connection at a time: a rotated refresh token used twice would end the grant.
    const running = this.refreshing.get(row.id);
    if (running) return running;
    const refresh = this.refresh(service, row, tokens, connectUrl).finally(() => this.refreshing.delete(row.id));
    this.refreshing.set(row.id, refresh);
    return refresh;
  }

  /**
   * Under the connection's cluster-wide lock, and only if nobody refreshed it meanwhile (another instance
   * may have, and rotated the refresh token: using the old one again could end the grant at the server).
   */
  private refresh(service: OAuthService, row: UpstreamConnectionEntity, tokens: OAuthTokens, connectUrl: string): Promise<string> {
    return this.locks.around(`upstream-oauth-refresh:${row.id}`, async () => {
      const current = await this.connections.findOne({ where: { id: row.id } });
      if (!current) throw new NotConnectedError(service.name, connectUrl, row.principalKey === 'shared');
      if (current.tokensSealed !== row.tokensSealed) return this.box.decryptJson<OAuthTokens>(current.tokensSealed).access_token;
      return this.refreshNow(service, row, tokens, connectUrl);
    });
  }

  private async refreshNow(service: OAuthService, row: UpstreamConnectionEntity, tokens: OAuthTokens, connectUrl: string): Promise<string> {
    let fresh: OAuthTokens;
    try {
      const server = await this.authServer(service);
      const client = await this.clientFor(service, server, null);
      fresh = await refreshTokens(server, client, tokens.refresh_token as string);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Refreshing an upstream OAuth connection of "${service.name}" failed: ${why}`);
      throw new ReconnectNeededError(service.name, connectUrl, `the refresh was refused: ${why}`);
    }
    const kept: OAuthTokens = { ...fresh, refresh_token: fresh.refresh_token ?? tokens.refresh_token };
    await this.connections.update(
      { id: row.id },
      { tokensSealed: this.box.encryptJson(kept), expiresAt: this.expiry(fresh), subject: subjectOf(fresh) ?? row.subject },
    );
    return kept.access_token;
  }

  private expiry(tokens: OAuthTokens): Date | null {
    return typeof tokens.expires_in === 'number' ? new Date(this.clock.now() + tokens.expires_in * 1000) : null;
  }
}
