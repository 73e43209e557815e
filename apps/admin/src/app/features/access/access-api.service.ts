import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ClientTokenView,
  ConsentDecisionView,
  ConsentRequestView,
  CreatedClientTokenView,
  OAuthGrantView,
} from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The body of `POST /api/client-tokens`, as plain data (the DTO classes carry validation decorators). */
export interface CreateClientTokenBody {
  label: string;
  services?: string[];
  tools?: string[];
}

/** Who may use the MCP endpoints besides the admin key: client tokens, OAuth grants, and the consent screen. */
@Injectable({ providedIn: 'root' })
export class AccessApiService {
  private readonly http = inject(HttpClient);

  tokens(): Observable<ClientTokenView[]> {
    return this.http.get<ClientTokenView[]>(apiUrl('client-tokens'));
  }

  createToken(body: CreateClientTokenBody): Observable<CreatedClientTokenView> {
    return this.http.post<CreatedClientTokenView>(apiUrl('client-tokens'), body);
  }

  relabelToken(id: string, label: string): Observable<ClientTokenView> {
    return this.http.patch<ClientTokenView>(apiUrl(`client-tokens/${encodeURIComponent(id)}`), { label });
  }

  revokeToken(id: string): Observable<ClientTokenView> {
    return this.http.post<ClientTokenView>(apiUrl(`client-tokens/${encodeURIComponent(id)}/revoke`), {});
  }

  grants(): Observable<OAuthGrantView[]> {
    return this.http.get<OAuthGrantView[]>(apiUrl('oauth/grants'));
  }

  revokeGrant(id: string): Observable<OAuthGrantView> {
    return this.http.post<OAuthGrantView>(apiUrl(`oauth/grants/${encodeURIComponent(id)}/revoke`), {});
  }

  consentRequest(id: string): Observable<ConsentRequestView> {
    return this.http.get<ConsentRequestView>(apiUrl(`oauth/authorizations/${encodeURIComponent(id)}`));
  }

  approve(id: string, tools: string[] | undefined): Observable<ConsentDecisionView> {
    return this.http.post<ConsentDecisionView>(apiUrl(`oauth/authorizations/${encodeURIComponent(id)}/approve`), tools ? { tools } : {});
  }

  deny(id: string): Observable<ConsentDecisionView> {
    return this.http.post<ConsentDecisionView>(apiUrl(`oauth/authorizations/${encodeURIComponent(id)}/deny`), {});
  }
}
