import type { ResponseMode } from './service.enums';

export interface GroupMemberView {
  serviceId: string;
  serviceName: string;
  allow: string[];
  deny: string[];
  renames: Record<string, { name?: string; description?: string }>;
}

export interface GroupSettingsView {
  rateLimit: number;
  requestTimeoutSec: number;
  memberTimeoutSec: number;
  responseMode: ResponseMode;
  /** tools/list shows only search_tools and call_tool: for groups of hundreds of tools. */
  toolSearch: boolean;
}

export interface GroupView {
  id: string;
  name: string;
  /** `/mcp/g/<name>`. */
  path: string;
  enabled: boolean;
  separator: string;
  members: GroupMemberView[];
  allow: string[];
  deny: string[];
  settings: GroupSettingsView;
  createdAt: string;
  updatedAt: string;
}

/** `GET /api/groups/:id/tools`: how the group names what its members offer, and how each member is doing. */
export interface GroupMappingView {
  group: string;
  tools: { exposed: string; service: string; original: string }[];
  prompts: { exposed: string; service: string; original: string }[];
  members: { serviceId: string; serviceName: string; state: 'ok' | 'unavailable' | 'failed' | 'timeout'; reason: string | null }[];
}
