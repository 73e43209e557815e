import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { UpstreamConnectionView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../../core/api/api-paths';

/** The caller's upstream OAuth connection to a remote service (`remote.auth: "oauth"`). Tokens never reach the portal. */
@Injectable({ providedIn: 'root' })
export class UpstreamOAuthApiService {
  private readonly http = inject(HttpClient);

  status(service: string): Observable<UpstreamConnectionView> {
    return this.http.get<UpstreamConnectionView>(apiUrl(`services/${encodeURIComponent(service)}/oauth`));
  }

  /** Where the browser goes to connect: the remote's authorization server (the pending part is a cookie the API sets). */
  start(service: string): Observable<{ authorizationUrl: string }> {
    return this.http.get<{ authorizationUrl: string }>(apiUrl(`services/${encodeURIComponent(service)}/oauth/connect`), {
      headers: { Accept: 'application/json' },
    });
  }

  disconnect(service: string): Observable<void> {
    return this.http.delete<void>(apiUrl(`services/${encodeURIComponent(service)}/oauth`));
  }
}
