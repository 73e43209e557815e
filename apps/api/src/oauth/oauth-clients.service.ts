import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../core/config/app-config';
import { documentUrl, fetchDocument, isDocumentClientId, storedIdFor } from './client-metadata-document';
import { OAuthError } from './oauth-error';
import { OAuthUrls } from './oauth-urls';
import { OAuthClientEntity } from './oauth.entities';

const MAX_REDIRECT_URIS = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 7591 registration metadata as the client sends it (only what we read). */
export interface ClientRegistration {
  redirect_uris?: unknown;
  client_name?: unknown;
  token_endpoint_auth_method?: unknown;
  grant_types?: unknown;
  response_types?: unknown;
}

/**
 * Dynamic client registration (RFC 7591) of public clients, client ID metadata documents (a URL as
 * client_id, fetched and checked here), and look-up by client_id.
 */
@Injectable()
export class OAuthClientsService {
  /** When each document client was last fetched and until when it may be used without fetching again. */
  private readonly fresh = new Map<string, number>();

  constructor(
    @InjectRepository(OAuthClientEntity) private readonly clients: Repository<OAuthClientEntity>,
    private readonly config: AppConfig,
    private readonly urls: OAuthUrls,
  ) {}

  /** OAUTH_DYNAMIC_REGISTRATION: `auto` opens registration only while some service uses OAuth. */
  async registrationOpen(): Promise<boolean> {
    const mode = this.config.get('OAUTH_DYNAMIC_REGISTRATION');
    if (mode !== 'auto') return mode === 'true';
    return this.urls.anyOAuthService();
  }

  async register(metadata: ClientRegistration): Promise<Record<string, unknown>> {
    const redirectUris = validRedirectUris(metadata.redirect_uris);
    const method = metadata.token_endpoint_auth_method;
    // Public clients only (PKCE protects the code): a client asking for a secret is told "none".
    if (method !== undefined && typeof method !== 'string')
      throw new OAuthError('invalid_client_metadata', 'token_endpoint_auth_method must be a string');
    const grantTypes = metadata.grant_types ?? ['authorization_code', 'refresh_token'];
    if (!Array.isArray(grantTypes) || grantTypes.some((type) => type !== 'authorization_code' && type !== 'refresh_token')) {
      throw new OAuthError('invalid_client_metadata', 'grant_types may only hold authorization_code and refresh_token');
    }
    const name =
      typeof metadata.client_name === 'string' && metadata.client_name.trim()
        ? metadata.client_name.trim().slice(0, 200)
        : 'Unnamed client';
    const entity = this.clients.create({ name, redirectUris });
    await this.clients.save(entity);
    return {
      client_id: entity.id,
      client_id_issued_at: Math.floor(entity.createdAt.getTime() / 1000),
      client_name: name,
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'none',
      grant_types: grantTypes,
      response_types: ['code'],
    };
  }

  async find(clientId: string | null | undefined): Promise<OAuthClientEntity | null> {
    if (!clientId || !UUID.test(clientId)) return null;
    return this.clients.findOne({ where: { id: clientId } });
  }

  /** The id codes, grants and tokens carry for a client_id as the client sends it (a URL maps to its stored id). */
  storedId(clientId: string | null): string | null {
    return isDocumentClientId(clientId) ? storedIdFor(clientId) : clientId;
  }

  /**
   * The client an authorization request names: a registered one, or the one its metadata document
   * describes (fetched again once its cache lifetime is over; a document that no longer validates
   * refuses the request). Throws `invalid_client` with the reason for a refused document.
   */
  async resolve(clientId: string | null): Promise<OAuthClientEntity | null> {
    if (!isDocumentClientId(clientId)) return this.find(clientId);
    const allowLoopback = this.config.get('OAUTH_CIMD_ALLOW_HTTP_LOOPBACK');
    const url = documentUrl(clientId, allowLoopback);
    const id = storedIdFor(clientId);
    if ((this.fresh.get(id) ?? 0) > Date.now()) {
      const cached = await this.find(id);
      if (cached) return cached;
    }
    const { body, cacheMs } = await fetchDocument(url, allowLoopback);
    const client = documentClient(clientId, url, body);
    // Upsert: two instances (or requests) fetching the same document at once both succeed.
    await this.clients.upsert({ id, ...client }, ['id']);
    this.fresh.set(id, Date.now() + cacheMs);
    return this.find(id);
  }
}

/** The document's rules: it names itself exactly, is a public client, and lists its redirect URIs. */
function documentClient(clientId: string, url: URL, body: Record<string, unknown>): { name: string; redirectUris: string[] } {
  const refuse = (why: string): never => {
    throw new OAuthError('invalid_client', `Client metadata document ${clientId} refused: ${why}`);
  };
  if (body['client_id'] !== clientId) refuse('its client_id is not exactly its URL');
  const method = body['token_endpoint_auth_method'];
  if (method !== undefined && method !== 'none') refuse('only public clients (token_endpoint_auth_method "none") are accepted');
  if ('client_secret' in body || 'client_secret_expires_at' in body) refuse('a document must not hold a client secret');
  const grantTypes = body['grant_types'];
  if (
    grantTypes !== undefined &&
    (!Array.isArray(grantTypes) || grantTypes.some((type) => type !== 'authorization_code' && type !== 'refresh_token'))
  ) {
    refuse('grant_types may only hold authorization_code and refresh_token');
  }
  let redirectUris: string[] = [];
  try {
    redirectUris = validRedirectUris(body['redirect_uris']);
  } catch (error) {
    refuse(error instanceof OAuthError ? error.description : 'bad redirect_uris');
  }
  const given =
    typeof body['client_name'] === 'string' && body['client_name'].trim() ? body['client_name'].trim().slice(0, 120) : 'Unnamed client';
  // The consent screen shows the host that vouches for the name, so a document cannot pose as another product.
  return { name: `${given} (${url.host})`.slice(0, 200), redirectUris };
}

/**
 * HTTPS redirect URIs, http on a loopback host or a private-use scheme (native and CLI clients, RFC 8252); no fragments.
 * Stored as given and compared exactly.
 */
function validRedirectUris(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_REDIRECT_URIS) {
    throw new OAuthError('invalid_redirect_uri', `redirect_uris must list 1 to ${MAX_REDIRECT_URIS} URIs`);
  }
  return value.map((uri: unknown) => {
    if (typeof uri !== 'string' || uri.length > 2000)
      throw new OAuthError('invalid_redirect_uri', 'each redirect URI must be a string of at most 2000 characters');
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new OAuthError('invalid_redirect_uri', `${uri} is not an absolute URI`);
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (parsed.hash) throw new OAuthError('invalid_redirect_uri', `${uri} must not have a fragment`);
    // RFC 8252 §7.1: a native app's private-use scheme is a reversed domain name (com.example.app:).
    const privateUse = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+:$/i.test(parsed.protocol);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback) && !privateUse) {
      throw new OAuthError('invalid_redirect_uri', `${uri} must be https, http on localhost, or an app's reversed-domain scheme`);
    }
    return uri;
  });
}
