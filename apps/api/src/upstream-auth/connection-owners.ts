import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClientTokenEntity } from '../client-tokens/client-token.entity';
import { OAuthGrantEntity } from '../oauth/oauth.entities';
import { connectionKeyOf } from './connection-key';

/**
 * Whose perUser connection a principal uses: a client token or an OAuth grant with an owner acts for that
 * user (`user:<owner id>`), so the owner connects once for everything they hold; one without an owner
 * (made with the API key) keeps a connection of its own. Read from the database each time a session first
 * reaches a service, so any instance (and a revived session) answers the same.
 */
@Injectable()
export class ConnectionOwners {
  constructor(@InjectDataSource() private readonly data: DataSource) {}

  async keyOf(connection: 'shared' | 'perUser', principalId: string): Promise<string> {
    if (connection === 'shared') return 'shared';
    const owner = await this.ownerOf(principalId);
    return owner ? `user:${owner}` : connectionKeyOf(connection, principalId);
  }

  private async ownerOf(principalId: string): Promise<string | null> {
    const colon = principalId.indexOf(':');
    const kind = principalId.slice(0, colon);
    const id = principalId.slice(colon + 1);
    if (kind === 'client-token') {
      const token = await this.data.getRepository(ClientTokenEntity).findOne({ select: { id: true, ownerUserId: true }, where: { id } });
      return token?.ownerUserId ?? null;
    }
    if (kind === 'oauth') {
      const grant = await this.data.getRepository(OAuthGrantEntity).findOne({ select: { id: true, ownerUserId: true }, where: { id } });
      return grant?.ownerUserId ?? null;
    }
    return null;
  }
}
