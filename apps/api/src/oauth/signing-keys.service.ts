import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { MoreThan, Repository } from 'typeorm';
import { AppConfig } from '../core/config/app-config';
import { SealedValueError, SecretBox } from '../core/crypto/secret-box';
import { AppLogger } from '../core/logging/app-logger';
import { OAuthSigningKeyEntity } from './oauth.entities';

const DAY_MS = 24 * 60 * 60 * 1000;

interface SigningKey {
  kid: string;
  createdAt: Date;
  privateKey: KeyObject;
}

/**
 * The keys that sign access tokens, kept in the database (private halves sealed) so every instance
 * signs and verifies alike. A key signs for OAUTH_KEY_ROTATION_DAYS, then a new one is made; the old
 * one still verifies until the tokens it signed have expired.
 */
@Injectable()
export class SigningKeysService {
  private current: SigningKey | null = null;
  private creating: Promise<SigningKey> | null = null;
  private readonly publicKeys = new Map<string, { key: KeyObject; createdAt: Date }>();

  constructor(
    @InjectRepository(OAuthSigningKeyEntity) private readonly keys: Repository<OAuthSigningKeyEntity>,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  /** The key to sign with now: the newest one still within its rotation period, made when there is none. */
  async signingKey(now = new Date()): Promise<SigningKey> {
    const rotationMs = this.config.get('OAUTH_KEY_ROTATION_DAYS') * DAY_MS;
    if (this.current && now.getTime() - this.current.createdAt.getTime() < rotationMs) return this.current;
    this.creating ??= this.loadOrCreate(now, rotationMs).finally(() => (this.creating = null));
    this.current = await this.creating;
    return this.current;
  }

  /** The public key named by a token's `kid`, if it may still verify tokens. */
  async verificationKey(kid: string, now = new Date()): Promise<KeyObject | null> {
    let known = this.publicKeys.get(kid);
    if (!known) {
      const entity = await this.keys.findOne({ where: { id: kid } });
      if (!entity) return null;
      known = { key: createPublicKey({ key: entity.publicJwk, format: 'jwk' }), createdAt: entity.createdAt };
      this.publicKeys.set(kid, known);
    }
    return now.getTime() - known.createdAt.getTime() < this.verifyWindowMs() ? known.key : null;
  }

  /** RFC 7517 key set of every key that may still verify tokens. */
  async jwks(now = new Date()): Promise<{ keys: Record<string, string>[] }> {
    const since = new Date(now.getTime() - this.verifyWindowMs());
    const entities = await this.keys.find({ where: { createdAt: MoreThan(since) }, order: { createdAt: 'DESC' } });
    return { keys: entities.map((entity) => ({ ...entity.publicJwk, kid: entity.id, alg: entity.algorithm, use: 'sig' })) };
  }

  private verifyWindowMs(): number {
    return this.config.get('OAUTH_KEY_ROTATION_DAYS') * DAY_MS + this.config.get('OAUTH_ACCESS_TOKEN_TTL_SEC') * 1000;
  }

  private async loadOrCreate(now: Date, rotationMs: number): Promise<SigningKey> {
    const fresh = await this.keys.findOne({
      where: { createdAt: MoreThan(new Date(now.getTime() - rotationMs)) },
      order: { createdAt: 'DESC' },
    });
    if (fresh) {
      try {
        return this.unseal(fresh);
      } catch (error) {
        if (!(error instanceof SealedValueError)) throw error;
        // Only the private half is sealed: tokens it signed still verify (the public half is plain), a new key signs from now on.
        this.logger.warn(`The OAuth signing key ${fresh.id} cannot be opened (${error.message}): a new one signs from now on`, 'OAuth');
      }
    }
    // Two instances may both make one at the turn of a period: harmless, each token names its own key.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const entity = this.keys.create({
      algorithm: 'ES256',
      publicJwk: { kty: jwk['kty'], crv: jwk['crv'], x: jwk['x'], y: jwk['y'] },
      privateKeySealed: this.box.encrypt(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
    });
    await this.keys.save(entity);
    return { kid: entity.id, createdAt: entity.createdAt, privateKey };
  }

  private unseal(entity: OAuthSigningKeyEntity): SigningKey {
    return { kid: entity.id, createdAt: entity.createdAt, privateKey: createPrivateKey(this.box.decrypt(entity.privateKeySealed)) };
  }
}
