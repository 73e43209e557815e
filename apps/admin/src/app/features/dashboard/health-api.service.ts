import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { HealthView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { HEALTH_URL } from '../../core/api/api-paths';

@Injectable({ providedIn: 'root' })
export class HealthApiService {
  private readonly http = inject(HttpClient);

  /** `GET /health`: liveness, version, uptime and service counts. */
  get(): Observable<HealthView> {
    return this.http.get<HealthView>(HEALTH_URL);
  }
}
