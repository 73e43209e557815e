import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { EndedSessionsView, SessionView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/**
 * UI sessions: your own (`/api/auth/sessions`), or, for admins, a user's (`/api/users/:id/sessions`).
 * Ending one refuses its token from then on and closes its live connection within seconds.
 */
@Injectable({ providedIn: 'root' })
export class SessionsApiService {
  private readonly http = inject(HttpClient);

  /** Your own sessions, or (admins) those of the user with this id. */
  list(userId?: string): Observable<SessionView[]> {
    return this.http.get<SessionView[]>(userId ? apiUrl(`users/${encodeURIComponent(userId)}/sessions`) : apiUrl('auth/sessions'));
  }

  end(id: string): Observable<void> {
    return this.http.delete<void>(apiUrl(`auth/sessions/${encodeURIComponent(id)}`));
  }

  endAllOf(userId: string): Observable<EndedSessionsView> {
    return this.http.delete<EndedSessionsView>(apiUrl(`users/${encodeURIComponent(userId)}/sessions`));
  }
}
