import { Injectable } from '@nestjs/common';
import type { HealthView } from '@mcp-proxy/shared/dto';
import { CertificateManager } from '../certs/certificate-manager';
import { AppConfig } from '../core/config/app-config';
import type { Principal } from '../core/auth/principal';
import { DeploymentsService } from '../deploy/deployments.service';
import { NetworkStatusService } from '../network/network-status.service';
import { Clock } from '../core/time/clock';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { ChildSandbox } from '../supervisor/sandbox/child-sandbox';
import { ServiceRuntimes } from '../services/service-runtimes';
import { ServicesService } from '../services/services.service';
import { APP_VERSION } from '../version';
import { healthProblems, problemCounts, problemsVisibleTo } from './health-problems';

/**
 * `GET /health`: liveness plus the truth about what the gateway should be doing and is not. Gathers the
 * facts from the supervisor, the certificate manager, the UPnP mapper and the deployments; the rules that
 * turn them into problems live in health-problems.ts.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly services: ServicesService,
    private readonly runtimes: ServiceRuntimes,
    private readonly supervisor: ProcessSupervisor,
    private readonly sandbox: ChildSandbox,
    private readonly certificates: CertificateManager,
    private readonly network: NetworkStatusService,
    private readonly deployments: DeploymentsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async view(principal: Principal | undefined): Promise<HealthView> {
    const [total, wanted, unfinished] = await Promise.all([
      this.services.count(),
      this.services.listDesiredRunning(),
      this.deployments.unfinished(),
    ]);
    const certificate = this.certificates.status();
    const problems = healthProblems({
      services: wanted.map((entity) => {
        // Whichever instance runs it: the runtimes hold the owner's facts in a cluster.
        const runtime = this.runtimes.get(entity.id);
        return {
          id: entity.id,
          name: entity.name,
          status: runtime.status,
          statusReason: runtime.statusReason,
          lastExitReason: runtime.lastExitReason ?? null,
        };
      }),
      certificate: {
        enabled: certificate.enabled,
        domain: certificate.domain,
        failures: certificate.failures,
        lastError: certificate.lastError,
      },
      lostMappings: this.network.lostMappings(),
      // One parked for an approval of its tool changes waits for a person, not stuck.
      deployments: unfinished
        .filter((deployment) => deployment.status !== 'awaiting-approval')
        .map((deployment) => ({
          serviceId: deployment.serviceId,
          serviceName: deployment.serviceName,
          status: deployment.status,
          startedAt: deployment.startedAt,
        })),
      now: this.clock.now(),
      deployStepTimeoutMs: this.config.get('DEPLOY_STEP_TIMEOUT_SEC') * 1000,
      deployAttempts: this.config.get('DEPLOY_ATTEMPTS'),
    });
    const visible = problemsVisibleTo(principal, problems);
    return {
      status: problems.length > 0 ? 'degraded' : 'ok',
      version: APP_VERSION,
      uptime: Math.round(process.uptime()),
      // From the supervisor, which clears a service's running state the instant its process exits.
      services: { running: this.supervisor.runningCount(), total },
      children: this.sandbox.isolation(),
      problemCounts: problemCounts(problems),
      ...(visible ? { problems: visible } : {}),
    };
  }
}
