import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { SettingView, UpdateSettingsDto } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** Server settings (`/api/settings`): every call answers with the whole list as it now stands. */
@Injectable({ providedIn: 'root' })
export class SettingsApiService {
  private readonly http = inject(HttpClient);

  list(): Observable<SettingView[]> {
    return this.http.get<SettingView[]>(apiUrl('settings'));
  }

  /** All or nothing: a 400 lists one message per bad setting, each starting with its key. */
  update(changes: UpdateSettingsDto): Observable<SettingView[]> {
    return this.http.patch<SettingView[]>(apiUrl('settings'), changes);
  }

  reset(key: string): Observable<SettingView[]> {
    return this.http.delete<SettingView[]>(apiUrl(`settings/${encodeURIComponent(key)}`));
  }
}
