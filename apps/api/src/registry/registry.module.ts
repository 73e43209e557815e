import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ContainerEngineProbe } from './container-engine';
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
  providers: [RegistryClient, ContainerEngineProbe, RegistryCatalog, RegistryInstalls],
  controllers: [RegistryController],
  exports: [ContainerEngineProbe],
})
export class RegistryModule {}
