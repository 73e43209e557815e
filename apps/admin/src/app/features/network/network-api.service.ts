import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CheckPortsView, NetworkStatusView, UpnpChangeView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** Addresses, UPnP port mapping and reachability (`/api/network`). Without `ports`: the proxy's own three. */
@Injectable({ providedIn: 'root' })
export class NetworkApiService {
  private readonly http = inject(HttpClient);

  /** Answers within 5 s whatever the router does. */
  status(): Observable<NetworkStatusView> {
    return this.http.get<NetworkStatusView>(apiUrl('network/status'));
  }

  checkPorts(ports?: number[]): Observable<CheckPortsView> {
    return this.http.post<CheckPortsView>(apiUrl('network/check-ports'), ports ? { ports } : {});
  }

  /** 409 while UPnP is off. */
  map(ports?: number[]): Observable<UpnpChangeView> {
    return this.http.post<UpnpChangeView>(apiUrl('network/upnp/map'), ports ? { ports } : {});
  }

  unmap(ports?: number[]): Observable<UpnpChangeView> {
    return this.http.post<UpnpChangeView>(apiUrl('network/upnp/unmap'), ports ? { ports } : {});
  }
}
