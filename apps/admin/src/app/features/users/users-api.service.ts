import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateUserDto, UpdateUserDto, UserView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

export type CreateUserBody = { [K in keyof CreateUserDto]: CreateUserDto[K] };
export type UpdateUserBody = { [K in keyof UpdateUserDto]: UpdateUserDto[K] };

/** `/api/users` (admins only). */
@Injectable({ providedIn: 'root' })
export class UsersApiService {
  private readonly http = inject(HttpClient);

  list(): Observable<UserView[]> {
    return this.http.get<UserView[]>(apiUrl('users'));
  }

  create(body: CreateUserBody): Observable<UserView> {
    return this.http.post<UserView>(apiUrl('users'), body);
  }

  update(id: string, body: UpdateUserBody): Observable<UserView> {
    return this.http.patch<UserView>(apiUrl(`users/${encodeURIComponent(id)}`), body);
  }

  remove(id: string): Observable<void> {
    return this.http.delete<void>(apiUrl(`users/${encodeURIComponent(id)}`));
  }
}
