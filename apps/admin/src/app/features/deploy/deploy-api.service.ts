import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { DeployAcceptedView, DeployRequestDto, DeploymentSummaryView, DeploymentView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The body of `POST /api/github/deploy`, as plain data (the DTO class carries validation decorators). */
export type DeployRequestBody = { [K in keyof DeployRequestDto]: DeployRequestDto[K] };

/** GitHub deploys: start one, follow it, a service's history, rollback. `service` is a service's id or name. */
@Injectable({ providedIn: 'root' })
export class DeployApiService {
  private readonly http = inject(HttpClient);

  /** Queues a deploy (creating the service when the name is new); answers 202 at once. */
  deploy(body: DeployRequestBody): Observable<DeployAcceptedView> {
    return this.http.post<DeployAcceptedView>(apiUrl('github/deploy'), body);
  }

  /** The deployment with its whole build log. */
  get(deploymentId: string): Observable<DeploymentView> {
    return this.http.get<DeploymentView>(apiUrl(`deployments/${encodeURIComponent(deploymentId)}`));
  }

  /** The service's deployments, newest first, without logs. */
  history(service: string): Observable<DeploymentSummaryView[]> {
    return this.http.get<DeploymentSummaryView[]>(apiUrl(`services/${encodeURIComponent(service)}/deployments`));
  }

  /** Admins: approve the tool changes of a deployment waiting for it; its build is then promoted. */
  approveTools(deploymentId: string): Observable<DeployAcceptedView> {
    return this.http.post<DeployAcceptedView>(apiUrl(`deployments/${encodeURIComponent(deploymentId)}/approve`), null);
  }

  /** Admins: reject them; the deployment fails and the running version stays. */
  rejectTools(deploymentId: string): Observable<DeploymentView> {
    return this.http.post<DeploymentView>(apiUrl(`deployments/${encodeURIComponent(deploymentId)}/reject`), null);
  }

  /** Queues a deploy of the build before the current one; 409 when there is none left on disk. */
  rollback(service: string): Observable<DeployAcceptedView> {
    return this.http.post<DeployAcceptedView>(apiUrl(`services/${encodeURIComponent(service)}/rollback`), null);
  }
}
