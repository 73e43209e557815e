import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { MetricsHistoryRange, MetricsHistoryView } from '@mcp-proxy/shared/dto';
import type { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The metrics history the server keeps (`GET /api/metrics/history`): the charts' data on open and after a reload. */
@Injectable({ providedIn: 'root' })
export class MetricsHistoryApiService {
  private readonly http = inject(HttpClient);

  history(service: string, range: MetricsHistoryRange): Observable<MetricsHistoryView> {
    return this.http.get<MetricsHistoryView>(apiUrl('metrics/history'), { params: { service, range } });
  }
}
