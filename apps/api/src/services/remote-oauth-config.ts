import { BadRequestException } from '@nestjs/common';
import { MASKED_VALUE, RemoteConfigDto } from '@mcp-proxy/shared/dto';
import { SealedValueError, SecretBox } from '../core/crypto/secret-box';
import type { RemoteOAuthSettings } from './remote-settings';

/**
 * `remote.oauth` at rest: one sealed JSON value (its client secret is a secret like a header value).
 * A client secret sent back masked, as the view showed it, keeps the stored one.
 */
export function sealRemoteOAuth(box: SecretBox, dto: RemoteConfigDto, previousSealed: string | null): string | null {
  if ((dto.auth ?? 'headers') !== 'oauth' || !dto.oauth) return null;
  const { connection, clientId, clientSecret, scopes } = dto.oauth;
  let secret = clientSecret;
  if (secret === MASKED_VALUE) {
    const before = previousSealed ? openRemoteOAuth(box, previousSealed) : null;
    if (!before?.clientSecret)
      throw new BadRequestException('remote.oauth.clientSecret: no stored secret can be kept (none, or sealed with another key); enter it');
    secret = before.clientSecret;
  }
  const settings: RemoteOAuthSettings = {
    connection,
    ...(clientId ? { clientId } : {}),
    ...(secret ? { clientSecret: secret } : {}),
    ...(scopes ? { scopes } : {}),
  };
  return box.encryptJson(settings);
}

/** The opened settings, or null when there are none or this proxy's keys cannot open them. */
export function openRemoteOAuth(box: SecretBox, sealed: string | null): RemoteOAuthSettings | null {
  if (!sealed) return null;
  try {
    return box.decryptJson<RemoteOAuthSettings>(sealed);
  } catch (error) {
    if (error instanceof SealedValueError) return null;
    throw error;
  }
}
