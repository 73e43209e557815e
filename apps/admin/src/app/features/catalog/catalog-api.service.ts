import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  InstallFromRegistryDto,
  RegistryInstallView,
  RegistryServerPageView,
  RegistryServerView,
  RegistryStatusView,
  ServiceView,
  UpdateFromRegistryDto,
} from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The body of `POST /api/registry/install`, as plain data (the DTO class carries validation decorators). */
export type InstallBody = { [K in keyof InstallFromRegistryDto]: InstallFromRegistryDto[K] };
export type UpdateBody = { [K in keyof UpdateFromRegistryDto]: UpdateFromRegistryDto[K] };

export interface InstallResultView {
  service: ServiceView;
  install: RegistryInstallView;
}

/** The MCP Registry catalog (`/api/registry`): browse, install, and update or roll back what was installed. */
@Injectable({ providedIn: 'root' })
export class CatalogApiService {
  private readonly http = inject(HttpClient);

  status(): Observable<RegistryStatusView> {
    return this.http.get<RegistryStatusView>(apiUrl('registry'));
  }

  servers(search: string, cursor: string | null, limit = 20): Observable<RegistryServerPageView> {
    let params = new HttpParams().set('limit', limit);
    if (search.trim()) params = params.set('search', search.trim());
    if (cursor) params = params.set('cursor', cursor);
    return this.http.get<RegistryServerPageView>(apiUrl('registry/servers'), { params });
  }

  /** One version of an entry (`latest` for the newest). */
  entry(server: string, version = 'latest'): Observable<RegistryServerView> {
    return this.http.get<RegistryServerView>(
      apiUrl(`registry/servers/${encodeURIComponent(server)}/versions/${encodeURIComponent(version)}`),
    );
  }

  install(body: InstallBody): Observable<InstallResultView> {
    return this.http.post<InstallResultView>(apiUrl('registry/install'), body);
  }

  installs(): Observable<RegistryInstallView[]> {
    return this.http.get<RegistryInstallView[]>(apiUrl('registry/installs'));
  }

  update(service: string, body: UpdateBody = {}): Observable<InstallResultView> {
    return this.http.post<InstallResultView>(apiUrl(`registry/installs/${encodeURIComponent(service)}/update`), body);
  }

  rollback(service: string): Observable<InstallResultView> {
    return this.http.post<InstallResultView>(apiUrl(`registry/installs/${encodeURIComponent(service)}/rollback`), null);
  }
}
