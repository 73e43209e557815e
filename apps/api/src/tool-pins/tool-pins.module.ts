import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { TOOL_PIN_GUARD } from '../proxy/upstream/tool-pin-guard';
import { ServiceRegistryModule } from '../services/service-registry.module';
import { DeployToolGate } from './deploy-tool-gate';
import { ToolChangeEntity } from './tool-change.entity';
import { ToolChangesService } from './tool-changes.service';
import { ToolPinEntity } from './tool-pin.entity';
import { ToolPinKeeper } from './tool-pin-keeper';
import { ToolPinNews } from './tool-pin-news';
import { ToolPinStore } from './tool-pin-store';
import { ToolPinsController } from './tool-pins.controller';

/**
 * Tool pinning: each service's tools are pinned by fingerprint when first seen; a server that later lists them
 * differently (an update, a redeploy, a compromised package) is caught by the proxy's guard (TOOL_PIN_GUARD,
 * asked on every `tools/list` from a server) and, per the service's drift policy, served and recorded (`warn`) or
 * held back until an admin approves (`block`). The deploy gate (DeployToolGate) asks the same of a new version
 * before it takes over.
 */
@Module({
  imports: [ServiceRegistryModule, AuditModule, TypeOrmModule.forFeature([ToolPinEntity, ToolChangeEntity])],
  controllers: [ToolPinsController],
  providers: [
    ToolPinStore,
    ToolPinNews,
    ToolPinKeeper,
    ToolChangesService,
    DeployToolGate,
    { provide: TOOL_PIN_GUARD, useExisting: ToolPinKeeper },
  ],
  exports: [TOOL_PIN_GUARD, DeployToolGate],
})
export class ToolPinsModule {}
