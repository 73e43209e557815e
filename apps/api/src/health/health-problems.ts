import type { HealthProblemKind, HealthProblemView, ServiceStatus } from '@mcp-proxy/shared/dto';
import { Principal, scopeShowsService } from '../core/auth/principal';

/**
 * What makes the gateway `degraded`, decided from plain facts so each rule is tested alone: a service
 * wanted running that crashed or failed, a certificate renewal that failed, a UPnP mapping we held and
 * lost, a deployment running far longer than its steps may. Reasons are one short line each and never
 * carry a child's output (a crash reason's stderr tail stays on the service's own page).
 */

/** A problem and, for one about a service, the service it is about (what scope filtering needs). */
export interface HealthProblem extends HealthProblemView {
  service?: { id: string; name: string };
}

export interface WantedService {
  id: string;
  name: string;
  status: ServiceStatus;
  statusReason: string | null;
  /** Why its last child died on its own, without the stderr tail ("exited with code 1"). */
  lastExitReason: string | null;
}

export interface RunningDeployment {
  serviceId: string;
  serviceName: string;
  status: string;
  startedAt: Date | null;
}

export interface HealthFacts {
  /** Services whose desired state is running, with their status now. */
  services: WantedService[];
  certificate: {
    enabled: boolean;
    domain: string | null;
    failures: number;
    lastError: string | null;
  };
  lostMappings: { name: string; reason: string }[];
  /** Deployments not finished yet. */
  deployments: RunningDeployment[];
  now: number;
  deployStepTimeoutMs: number;
  deployAttempts: number;
}

export const HEALTH_PROBLEM_KINDS: readonly HealthProblemKind[] = ['service', 'certificate', 'upnp', 'deploy'];
/** A deployment attempt runs four bounded steps (clone, install, build, start); one more for the check and the queue. */
const STEPS_PER_ATTEMPT = 5;
const MAX_REASON_CHARS = 200;

export function healthProblems(facts: HealthFacts): HealthProblem[] {
  const problems: HealthProblem[] = [];
  for (const service of facts.services) {
    if (service.status !== 'crashed' && service.status !== 'failed') continue;
    problems.push({
      kind: 'service',
      name: service.name,
      status: service.status,
      reason: serviceReason(service),
      service: { id: service.id, name: service.name },
    });
  }
  const certificate = facts.certificate;
  if (certificate.enabled && certificate.failures > 0) {
    problems.push({
      kind: 'certificate',
      name: certificate.domain ?? 'HTTPS certificate',
      status: 'renewal-failed',
      reason: short(
        `${certificate.failures} failed attempt${certificate.failures === 1 ? '' : 's'}: ${certificate.lastError ?? 'unknown error'}`,
      ),
    });
  }
  for (const mapping of facts.lostMappings)
    problems.push({
      kind: 'upnp',
      name: mapping.name,
      status: 'lease-lost',
      reason: short(mapping.reason),
    });
  const limitMs = facts.deployStepTimeoutMs * STEPS_PER_ATTEMPT * facts.deployAttempts;
  for (const deployment of facts.deployments) {
    if (!deployment.startedAt || facts.now - deployment.startedAt.getTime() <= limitMs) continue;
    const minutes = Math.round((facts.now - deployment.startedAt.getTime()) / 60_000);
    problems.push({
      kind: 'deploy',
      name: deployment.serviceName,
      status: 'stuck',
      reason: `${deployment.status} for ${minutes} min, longer than ${facts.deployAttempts} attempt(s) of its steps may take (DEPLOY_STEP_TIMEOUT_SEC ${facts.deployStepTimeoutMs / 1000} s)`,
      service: { id: deployment.serviceId, name: deployment.serviceName },
    });
  }
  return problems;
}

export function problemCounts(problems: readonly HealthProblem[]): Record<HealthProblemKind, number> {
  const counts = Object.fromEntries(HEALTH_PROBLEM_KINDS.map((kind) => [kind, 0])) as Record<HealthProblemKind, number>;
  for (const problem of problems) counts[problem.kind] += 1;
  return counts;
}

/**
 * What a caller may read of the problems: nothing for an anonymous one (counts only); for a known one,
 * every problem not about a service plus those about services in their scope.
 */
export function problemsVisibleTo(principal: Principal | undefined, problems: readonly HealthProblem[]): HealthProblemView[] | undefined {
  if (!principal) return undefined;
  return problems
    .filter((problem) => !problem.service || scopeShowsService(principal, problem.service))
    .map(({ kind, name, status, reason }) => ({ kind, name, status, reason }));
}

/** A crash: why the restarts stopped and how the last child died; a failed start: the launcher's reason. Never the stderr tail. */
function serviceReason(service: WantedService): string {
  const reason = service.statusReason ?? service.lastExitReason ?? service.status;
  const cause = service.lastExitReason;
  // A crash's status reason is "<why parked>: <cause>: <stderr tail>"; the tail is the server's own output.
  const cut = service.status === 'crashed' && cause ? reason.indexOf(cause) : -1;
  return short(cut >= 0 && cause ? reason.slice(0, cut + cause.length) : reason);
}

function short(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line;
}
