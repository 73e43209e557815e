import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientTokenEntity } from './client-token.entity';
import { ClientTokensController } from './client-tokens.controller';
import { ClientTokensService } from './client-tokens.service';

/**
 * Per-client tokens for the MCP endpoints, so the admin key need not be pasted into every client and one client
 * can be revoked alone; limited to services, tools and a rate. Their verifier is one of auth's (CredentialVerifiersModule).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ClientTokenEntity])],
  controllers: [ClientTokensController],
  providers: [ClientTokensService],
  exports: [ClientTokensService],
})
export class ClientTokensModule {}
