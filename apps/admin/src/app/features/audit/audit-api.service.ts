import { HttpClient, HttpResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { AuditExportFormat, AuditPageView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** `GET /api/audit` and its export (admins only). */
@Injectable({ providedIn: 'root' })
export class AuditApiService {
  private readonly http = inject(HttpClient);

  page(params: Record<string, string>): Observable<AuditPageView> {
    return this.http.get<AuditPageView>(apiUrl('audit'), { params });
  }

  /** The file as the API names it; fetched (not linked) so the session token goes with it. */
  export(params: Record<string, string>, format: AuditExportFormat): Observable<HttpResponse<Blob>> {
    return this.http.get(apiUrl('audit/export'), {
      params: { ...params, format },
      responseType: 'blob',
      observe: 'response',
    });
  }
}
