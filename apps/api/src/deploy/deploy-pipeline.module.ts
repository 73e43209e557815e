import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { ToolPinsModule } from '../tool-pins/tool-pins.module';
import { GithubApi } from './api/github-api';
import { BuildDirectories } from './build/build-directories';
import { BuildSandbox } from './build/build-sandbox';
import { BuildsService } from './build/builds.service';
import { CommandRunner } from './build/command-runner';
import { ManifestReader } from './build/manifest-reader';
import { PackageBuilder } from './build/package-builder';
import { DeployApprovals } from './deploy-approvals';
import { PythonBuilder } from './build/python-builder';
import { RuntimeBuilders } from './build/runtime-builders';
import { DeployPipeline } from './deploy-pipeline';
import { DeploymentEntity } from './deployment.entity';
import { DeploymentsService } from './deployments.service';
import { GitClient } from './git/git-client';
import { ReleaseService } from './release/release.service';

/**
 * The deploy pipeline and the seams it works through (git, npm and pip, the file system, GitHub's API, the
 * supervisor), and the deployments table. Shared by both queues and the GitHub module's endpoints.
 */
@Module({
  imports: [TypeOrmModule.forFeature([DeploymentEntity]), SupervisorModule, ToolPinsModule, ClusterLinkModule],
  providers: [
    DeploymentsService,
    DeployPipeline,
    DeployApprovals,
    CommandRunner,
    GitClient,
    ManifestReader,
    PackageBuilder,
    PythonBuilder,
    RuntimeBuilders,
    BuildSandbox,
    BuildDirectories,
    BuildsService,
    GithubApi,
    ReleaseService,
  ],
  exports: [DeploymentsService, DeployPipeline, DeployApprovals, BuildDirectories, CommandRunner, SupervisorModule],
})
export class DeployPipelineModule {}
