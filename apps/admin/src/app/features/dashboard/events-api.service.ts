import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ServiceEventPageView } from '@mcp-proxy/shared/dto';
import type { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The service events the server keeps (`GET /api/events`), newest first: the dashboard's list on open and after a reload. */
@Injectable({ providedIn: 'root' })
export class EventsApiService {
  private readonly http = inject(HttpClient);

  recent(limit: number): Observable<ServiceEventPageView> {
    return this.http.get<ServiceEventPageView>(apiUrl('events'), { params: { limit } });
  }
}
