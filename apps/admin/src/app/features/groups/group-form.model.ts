import type { GroupView, ResponseMode } from '@mcp-proxy/shared/dto';
import type { CreateGroupBody, GroupMemberBody, UpdateGroupBody } from './groups-api.service';

// Written out rather than imported: the DTO barrel carries class-validator code that must stay out
// of the browser bundle. They mirror GROUP_NAME_PATTERN and the separator rule of the group DTOs.
export const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** `all` is the built-in group of every service, served at `/mcp`. */
export const RESERVED_GROUP_NAMES: readonly string[] = ['all'];
export const SEPARATOR_PATTERN = /^[A-Za-z0-9_.-]{1,4}$/;
export const DEFAULT_SEPARATOR = '__';

export interface RenameRow {
  /** The member's own name of the tool or prompt. */
  original: string;
  /** Another name, still prefixed with the service (`everything__<name>`); empty keeps the original. */
  name: string;
  /** Another description; empty keeps the member's. */
  description: string;
}

export interface MemberFormValue {
  /** The service's name. */
  service: string;
  /** One name or glob per line (or comma separated); empty = all. */
  allow: string;
  deny: string;
  renames: RenameRow[];
}

export interface GroupFormValue {
  name: string;
  enabled: boolean;
  separator: string;
  members: MemberFormValue[];
  allow: string;
  deny: string;
  settings: {
    rateLimit: number | null;
    requestTimeoutSec: number | null;
    memberTimeoutSec: number | null;
    responseMode: ResponseMode;
    toolSearch: boolean;
  };
}

/** The API's defaults for a new group. */
export function emptyGroupForm(): GroupFormValue {
  return {
    name: '',
    enabled: true,
    separator: DEFAULT_SEPARATOR,
    members: [],
    allow: '',
    deny: '',
    settings: { rateLimit: 0, requestTimeoutSec: 60, memberTimeoutSec: 5, responseMode: 'auto', toolSearch: false },
  };
}

export function emptyMember(service: string): MemberFormValue {
  return { service, allow: '', deny: '', renames: [] };
}

export function groupFormFromView(group: GroupView): GroupFormValue {
  return {
    name: group.name,
    enabled: group.enabled,
    separator: group.separator,
    members: group.members.map((member) => ({
      service: member.serviceName,
      allow: member.allow.join('\n'),
      deny: member.deny.join('\n'),
      renames: Object.entries(member.renames).map(([original, rename]) => ({
        original,
        name: rename.name ?? '',
        description: rename.description ?? '',
      })),
    })),
    allow: group.allow.join('\n'),
    deny: group.deny.join('\n'),
    settings: { ...group.settings, toolSearch: group.settings.toolSearch ?? false },
  };
}

/** Names or globs, one per line or separated by commas; blanks and repeats dropped. */
export function parseNameList(text: string): string[] {
  const names = text
    .split(/[\n,]/)
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return [...new Set(names)];
}

export function renamesFromRows(rows: readonly RenameRow[]): GroupMemberBody['renames'] {
  const renames: NonNullable<GroupMemberBody['renames']> = {};
  for (const row of rows) {
    const original = row.original.trim();
    const name = row.name.trim();
    const description = row.description.trim();
    if (!original || (!name && !description)) continue;
    renames[original] = { ...(name ? { name } : {}), ...(description ? { description } : {}) };
  }
  return renames;
}

function memberBody(member: MemberFormValue): GroupMemberBody {
  return {
    service: member.service,
    allow: parseNameList(member.allow),
    deny: parseNameList(member.deny),
    renames: renamesFromRows(member.renames),
  };
}

function settingsBody(settings: GroupFormValue['settings']): NonNullable<CreateGroupBody['settings']> {
  const body: NonNullable<CreateGroupBody['settings']> = { responseMode: settings.responseMode, toolSearch: settings.toolSearch };
  // Numbers left empty fall back to the API's defaults instead of being sent as null.
  for (const key of ['rateLimit', 'requestTimeoutSec', 'memberTimeoutSec'] as const) {
    const value = settings[key];
    if (value !== null) body[key] = value;
  }
  return body;
}

/** `PATCH` body: everything but the name (which cannot change); the lists replace the stored ones. */
export function updateGroupBody(value: GroupFormValue): UpdateGroupBody & Required<Pick<UpdateGroupBody, 'members'>> {
  return {
    enabled: value.enabled,
    separator: value.separator.trim() || DEFAULT_SEPARATOR,
    members: value.members.map(memberBody),
    allow: parseNameList(value.allow),
    deny: parseNameList(value.deny),
    settings: settingsBody(value.settings),
  };
}

/** `POST /api/groups` body. Members keep the order of the form: the order of the merged lists. */
export function createGroupBody(value: GroupFormValue): CreateGroupBody {
  return { name: value.name.trim(), ...updateGroupBody(value) };
}

/** Every field path of the form the API's messages may name (`members.0.service: no service "x"`). */
export function groupFieldPaths(memberCount: number): string[] {
  const paths = [
    'name',
    'enabled',
    'separator',
    'allow',
    'deny',
    'settings.rateLimit',
    'settings.requestTimeoutSec',
    'settings.memberTimeoutSec',
    'settings.responseMode',
    'settings.toolSearch',
  ];
  for (let index = 0; index < memberCount; index++) {
    paths.push(`members.${index}.service`, `members.${index}.allow`, `members.${index}.deny`, `members.${index}.renames`);
  }
  return paths;
}

/** Moves the item at `from` to `to` (both clamped), returning a new array. */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const result = [...items];
  if (from < 0 || from >= result.length) return result;
  const target = Math.min(Math.max(to, 0), result.length - 1);
  const [item] = result.splice(from, 1);
  result.splice(target, 0, item);
  return result;
}
