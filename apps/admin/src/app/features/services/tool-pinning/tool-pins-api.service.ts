import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ServiceToolPinsView, ToolChangeStatus, ToolChangeView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../../core/api/api-paths';

/** Tool pinning: a service's pinned tools, the changes its server made since, and the admin's decisions. */
@Injectable({ providedIn: 'root' })
export class ToolPinsApiService {
  private readonly http = inject(HttpClient);

  /** The pinned tools, the drift policy and the changes waiting for a decision. */
  pins(service: string): Observable<ServiceToolPinsView> {
    return this.http.get<ServiceToolPinsView>(apiUrl(`services/${encodeURIComponent(service)}/tool-pins`));
  }

  /** Changes of one service, newest first (`all`: decided ones too). */
  changes(service: string, status: ToolChangeStatus | 'all', limit = 50): Observable<ToolChangeView[]> {
    const params = new HttpParams().set('service', service).set('status', status).set('limit', limit);
    return this.http.get<ToolChangeView[]>(apiUrl('tool-changes'), { params });
  }

  /** Admins: the listed definition becomes the pin. */
  approve(changeId: string): Observable<ToolChangeView> {
    return this.http.post<ToolChangeView>(apiUrl(`tool-changes/${encodeURIComponent(changeId)}/approve`), null);
  }

  /** Admins: the pin stays; under "block" the tool stays held back. */
  reject(changeId: string): Observable<ToolChangeView> {
    return this.http.post<ToolChangeView>(apiUrl(`tool-changes/${encodeURIComponent(changeId)}/reject`), null);
  }
}
