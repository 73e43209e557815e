import { HttpClient, HttpResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CallExportFormat, CallLogDetailView, CallLogPageView, CallStatsRange, CallStatsView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The call history: `GET /api/calls` (pages, exports), `/api/calls/:id` and `/api/calls/stats`. */
@Injectable({ providedIn: 'root' })
export class CallsApiService {
  private readonly http = inject(HttpClient);

  page(params: Record<string, string>): Observable<CallLogPageView> {
    return this.http.get<CallLogPageView>(apiUrl('calls'), { params });
  }

  detail(id: string): Observable<CallLogDetailView> {
    return this.http.get<CallLogDetailView>(apiUrl(`calls/${encodeURIComponent(id)}`));
  }

  stats(range: CallStatsRange, service: string): Observable<CallStatsView> {
    return this.http.get<CallStatsView>(apiUrl('calls/stats'), { params: service ? { range, service } : { range } });
  }

  /** The file as the API names it; fetched (not linked) so the session token goes with it. */
  export(params: Record<string, string>, format: CallExportFormat): Observable<HttpResponse<Blob>> {
    return this.http.get(apiUrl('calls'), { params: { ...params, format }, responseType: 'blob', observe: 'response' });
  }
}
