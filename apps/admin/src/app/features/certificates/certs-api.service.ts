import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CertStatusView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The HTTPS certificate (`/api/certs`). */
@Injectable({ providedIn: 'root' })
export class CertsApiService {
  private readonly http = inject(HttpClient);

  status(): Observable<CertStatusView> {
    return this.http.get<CertStatusView>(apiUrl('certs/status'));
  }

  /** Orders (or makes) a new certificate now and answers once it is in use; 502 with the reason when it fails, 409 with TLS off. */
  renew(): Observable<CertStatusView> {
    return this.http.post<CertStatusView>(apiUrl('certs/renew'), null);
  }
}
