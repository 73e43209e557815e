import { randomBytes, randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../core/config/app-config';
import { SecretBox } from '../core/crypto/secret-box';
import type { AppLogger } from '../core/logging/app-logger';
import { OAuthSigningKeyEntity } from './oauth.entities';
import { SigningKeysService } from './signing-keys.service';

/** The keys table in memory: the newest key first, as the service asks for it. */
function memoryKeys(rows: OAuthSigningKeyEntity[]): Repository<OAuthSigningKeyEntity> {
  return {
    findOne: async () => [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null,
    create: (fields: Partial<OAuthSigningKeyEntity>) => Object.assign(new OAuthSigningKeyEntity(), fields),
    save: async (entity: OAuthSigningKeyEntity) => {
      entity.id = randomUUID();
      entity.createdAt = new Date();
      rows.push(entity);
      return entity;
    },
  } as unknown as Repository<OAuthSigningKeyEntity>;
}

describe('SigningKeysService', () => {
  const config = {
    get: (key: string) => ({ OAUTH_KEY_ROTATION_DAYS: 30, OAUTH_ACCESS_TOKEN_TTL_SEC: 900 })[key],
  } as unknown as AppConfig;

  it('makes a new signing key, and says so, when the stored one was sealed with another ENCRYPTION_KEY', async () => {
    const rows: OAuthSigningKeyEntity[] = [];
    await new SigningKeysService(memoryKeys(rows), new SecretBox({ encryptionKey: randomBytes(32) }), config, {
      warn: jest.fn(),
    } as unknown as AppLogger).signingKey();
    expect(rows).toHaveLength(1);
    const sealedBefore = rows[0].privateKeySealed;

    const warn = jest.fn();
    const otherKey = new SigningKeysService(memoryKeys(rows), new SecretBox({ encryptionKey: randomBytes(32) }), config, {
      warn,
    } as unknown as AppLogger);
    const key = await otherKey.signingKey();
    expect(rows).toHaveLength(2);
    expect(key.kid).toBe(rows[1].id);
    expect(rows[0].privateKeySealed).toBe(sealedBefore);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/cannot be opened \(it was sealed with another ENCRYPTION_KEY\): a new one signs from now on/),
      'OAuth',
    );
  });
});
