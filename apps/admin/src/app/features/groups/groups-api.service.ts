import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CreateGroupDto, GroupMappingView, GroupView, UpdateGroupDto } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiUrl } from '../../core/api/api-paths';

/** The body of `POST /api/groups`, as plain data (the DTO classes carry validation decorators). */
export type CreateGroupBody = Omit<{ [K in keyof CreateGroupDto]: CreateGroupDto[K] }, 'members' | 'settings'> & {
  members: GroupMemberBody[];
  settings?: GroupSettingsBody;
};
/** The body of `PATCH /api/groups/:id`; `members`, `allow` and `deny` replace the whole list. */
export type UpdateGroupBody = Omit<{ [K in keyof UpdateGroupDto]: UpdateGroupDto[K] }, 'members' | 'settings'> & {
  members?: GroupMemberBody[];
  settings?: GroupSettingsBody;
};
export type GroupMemberBody = { [K in keyof CreateGroupDto['members'][number]]: CreateGroupDto['members'][number][K] };
export type GroupSettingsBody = { [K in keyof NonNullable<CreateGroupDto['settings']>]: NonNullable<CreateGroupDto['settings']>[K] };

/** Groups of services served together at `/mcp/g/<name>`. `key` is a group's id or name. */
@Injectable({ providedIn: 'root' })
export class GroupsApiService {
  private readonly http = inject(HttpClient);

  list(): Observable<GroupView[]> {
    return this.http.get<GroupView[]>(apiUrl('groups'));
  }

  get(key: string): Observable<GroupView> {
    return this.http.get<GroupView>(groupUrl(key));
  }

  create(body: CreateGroupBody): Observable<GroupView> {
    return this.http.post<GroupView>(apiUrl('groups'), body);
  }

  update(key: string, body: UpdateGroupBody): Observable<GroupView> {
    return this.http.patch<GroupView>(groupUrl(key), body);
  }

  remove(key: string): Observable<void> {
    return this.http.delete<void>(groupUrl(key));
  }

  /** Lists the members now: which exposed name stands for which member's tool or prompt, and each member's health. */
  mapping(key: string): Observable<GroupMappingView> {
    return this.http.get<GroupMappingView>(`${groupUrl(key)}/tools`);
  }
}

function groupUrl(key: string): string {
  return apiUrl(`groups/${encodeURIComponent(key)}`);
}
