import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ProxyLogView } from '@mcp-proxy/shared/dto';
import type { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The proxy's own recent log (`GET /api/logs/proxy`, admins only, secrets masked by the server). */
@Injectable({ providedIn: 'root' })
export class ProxyLogApiService {
  private readonly http = inject(HttpClient);

  tail(lines: number): Observable<ProxyLogView> {
    return this.http.get<ProxyLogView>(apiUrl('logs/proxy'), { params: { tail: lines } });
  }
}
