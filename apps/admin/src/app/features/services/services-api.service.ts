import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  CreateServiceDto,
  DeployAcceptedView,
  ServiceLogsView,
  ServiceEnvironmentView,
  ServiceMetricsView,
  ServiceView,
  UpdateServiceDto,
} from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The body of `POST /api/services`, as plain data (the DTO class carries validation decorators). */
export type CreateServiceBody = { [K in keyof CreateServiceDto]: CreateServiceDto[K] };
/** The body of `PATCH /api/services/:id`: only what changed. */
export type UpdateServiceBody = { [K in keyof UpdateServiceDto]: UpdateServiceDto[K] };

export type ServiceAction = 'start' | 'stop' | 'restart';

/** The management API of registered MCP services (`/api/services`). `key` is a service's id or name. */
@Injectable({ providedIn: 'root' })
export class ServicesApiService {
  private readonly http = inject(HttpClient);

  list(): Observable<ServiceView[]> {
    return this.http.get<ServiceView[]>(apiUrl('services'));
  }

  get(key: string): Observable<ServiceView> {
    return this.http.get<ServiceView>(serviceUrl(key));
  }

  create(body: CreateServiceBody): Observable<ServiceView> {
    return this.http.post<ServiceView>(apiUrl('services'), body);
  }

  update(key: string, body: UpdateServiceBody): Observable<ServiceView> {
    return this.http.patch<ServiceView>(serviceUrl(key), body);
  }

  remove(key: string): Observable<void> {
    return this.http.delete<void>(serviceUrl(key));
  }

  /** Start, stop or restart; answers with the view once the process has started (or stopped). */
  control(key: string, action: ServiceAction): Observable<ServiceView> {
    return this.http.post<ServiceView>(`${serviceUrl(key)}/${action}`, null);
  }

  /** "Retry deploy": the service's repository and branch again (operators); the deploy runs in the background. */
  redeploy(key: string): Observable<DeployAcceptedView> {
    return this.http.post<DeployAcceptedView>(`${serviceUrl(key)}/redeploy`, null);
  }

  logs(key: string, tail?: number): Observable<ServiceLogsView> {
    const params = tail === undefined ? undefined : new HttpParams().set('tail', tail);
    return this.http.get<ServiceLogsView>(`${serviceUrl(key)}/logs`, { params });
  }

  /** The environment in clear: admins only, and audited. */
  environment(key: string): Observable<ServiceEnvironmentView> {
    return this.http.get<ServiceEnvironmentView>(`${serviceUrl(key)}/environment`);
  }

  metrics(key: string): Observable<ServiceMetricsView> {
    return this.http.get<ServiceMetricsView>(`${serviceUrl(key)}/metrics`);
  }
}

function serviceUrl(key: string): string {
  return apiUrl(`services/${encodeURIComponent(key)}`);
}
