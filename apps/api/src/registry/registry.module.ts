import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ServiceCommandCheck } from '../services/service-command-check';
import { RegistryHostCheck } from './host-check';
import { RegistryCatalog } from './registry-catalog.service';
import { RegistryClient } from './registry-client';
import { RegistryInstallEntity } from './registry-install.entity';
import { RegistryInstalls } from './registry-installs.service';
import { RegistryController } from './registry.controller';

/**
 * The MCP Registry (`/api/registry`): a catalog read from REGISTRY_URL, and services installed from it
 * (created and changed through the service registry, started by the supervisor), with update and rollback.
 */
@Module({
  imports: [TypeOrmModule.forFeature([RegistryInstallEntity]), SupervisorModule],
  // ServiceCommandCheck: an install is refused, like a create, when this host cannot run its command.
  providers: [RegistryClient, RegistryHostCheck, ServiceCommandCheck, RegistryCatalog, RegistryInstalls],
  controllers: [RegistryController],
})
export class RegistryModule {}
