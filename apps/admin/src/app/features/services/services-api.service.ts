import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

@Injectable({ providedIn: 'root' })
export class ServicesApiService {
  private readonly http = inject(HttpClient);

  /** `GET /api/services`: every registered MCP service. */
  list(): Observable<ServiceView[]> {
    return this.http.get<ServiceView[]>(apiUrl('services'));
  }
}
