import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientTokenEntity } from './client-token.entity';
import { ClientTokensController } from './client-tokens.controller';
import { ClientTokensService } from './client-tokens.service';

/** Per-client tokens for the MCP endpoints, limited to services, tools and a rate; their verifier is one of auth's (CredentialVerifiersModule). */
@Module({
  imports: [TypeOrmModule.forFeature([ClientTokenEntity])],
  controllers: [ClientTokensController],
  providers: [ClientTokensService],
  exports: [ClientTokensService],
})
export class ClientTokensModule {}
