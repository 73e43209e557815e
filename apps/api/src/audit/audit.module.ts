import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEventEntity } from './audit-event.entity';
import { AuditRetentionService } from './audit-retention.service';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditNames } from './audit-names';
import { AuditService } from './audit.service';
import { AuthAuditListener } from './auth-audit.listener';

/**
 * Who did what, when, from where: REST changes (interceptor), logins and refusals (auth events),
 * and whatever a feature records itself (`AuditService.record`: grants, refused tool calls …).
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  controllers: [AuditController],
  providers: [AuditService, AuditNames, AuditRetentionService, AuthAuditListener, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  exports: [AuditService],
})
export class AuditModule {}
