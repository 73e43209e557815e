import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ClientConfigImportView, ImportClientConfigDto, ServerTemplateView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The body of `POST /api/services/import-client-config`, as plain data. */
export type ImportClientConfigBody = { [K in keyof ImportClientConfigDto]: ImportClientConfigDto[K] };

/** The ways to a first server that need no form of the full service page: ready templates and a pasted client config. */
@Injectable({ providedIn: 'root' })
export class FirstServerApiService {
  private readonly http = inject(HttpClient);

  templates(): Observable<ServerTemplateView[]> {
    return this.http.get<ServerTemplateView[]>(apiUrl('templates'));
  }

  importClientConfig(body: ImportClientConfigBody): Observable<ClientConfigImportView> {
    return this.http.post<ClientConfigImportView>(apiUrl('services/import-client-config'), body);
  }
}
