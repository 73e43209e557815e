import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuditEventView } from '@mcp-proxy/shared/dto';
import { DataSource, EntityTarget, In, ObjectLiteral } from 'typeorm';
import { ClientTokenEntity } from '../client-tokens/client-token.entity';
import { Principal, scopeShowsService } from '../core/auth/principal';
import { GroupEntity } from '../groups/group.entity';
import { OAuthClientEntity } from '../oauth/oauth.entities';
import { ServiceEntity } from '../services/service.entity';
import { UserEntity } from '../users/user.entity';

/** An event as stored, before it gets the names people read. */
export type StoredAuditEvent = Omit<AuditEventView, 'actorName' | 'targetName' | 'targetKind'>;

/**
 * Where a target id may point, in the order tried: a route's `:id` is a service's id or name, a group's,
 * a user's, a client token's or an OAuth client's. The entities are read straight through the data
 * source: the audit module sits below every feature and must not import their modules.
 */
const TARGET_SOURCES: readonly { kind: string; entity: EntityTarget<ObjectLiteral>; name: string; byName: boolean }[] = [
  { kind: 'service', entity: ServiceEntity, name: 'name', byName: true },
  { kind: 'group', entity: GroupEntity, name: 'name', byName: true },
  { kind: 'user', entity: UserEntity, name: 'username', byName: false },
  { kind: 'client token', entity: ClientTokenEntity, name: 'label', byName: false },
  { kind: 'OAuth client', entity: OAuthClientEntity, name: 'name', byName: false },
];

/**
 * The audit log names people and things: "admin (portal)" rather than a session id, a service's name
 * rather than its id (the id stays in `target`, for the hover and for filters). Names are looked up when
 * the log is read, so a renamed service shows its current name; a deleted one keeps its id.
 */
@Injectable()
export class AuditNames {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `reader`: who reads the log; one limited to some services gets no names of the others (nor of groups). */
  async named(events: StoredAuditEvent[], reader?: Principal): Promise<AuditEventView[]> {
    const ids = [...new Set(events.map((event) => event.target).filter((t): t is string => !!t))];
    const targets = await this.targetNames(ids, reader);
    return events.map((event) => {
      const target = event.target ? targets.get(event.target) : undefined;
      return {
        ...event,
        actorName: actorName(event.actor, event.actorKind),
        targetName: target?.name ?? event.target,
        targetKind: target?.kind ?? null,
      };
    });
  }

  private async targetNames(ids: string[], reader: Principal | undefined): Promise<Map<string, { kind: string; name: string }>> {
    const found = new Map<string, { kind: string; name: string }>();
    const limited = reader?.scope?.services !== undefined;
    for (const source of TARGET_SOURCES) {
      if (limited && source.kind === 'group') continue;
      const open = ids.filter((id) => !found.has(id));
      if (open.length === 0) break;
      const repository = this.dataSource.getRepository(source.entity);
      const where = source.byName ? [{ id: In(open) }, { [source.name]: In(open) }] : { id: In(open) };
      const rows = await repository.find({ where, select: ['id', source.name] }).catch(() => []);
      for (const row of rows) {
        const name = String(row[source.name]);
        if (source.kind === 'service' && !scopeShowsService(reader, { id: String(row['id']), name })) continue;
        for (const key of [String(row['id']), name]) if (open.includes(key)) found.set(key, { kind: source.kind, name });
      }
    }
    return found;
  }
}

/** Who acted, as a person reads it: the API key and the portal sessions opened with it are "admin". */
export function actorName(actor: string | null, kind: string): string {
  switch (kind) {
    case 'admin':
      return 'admin (API key)';
    case 'session':
      return 'admin (portal)';
    case 'anonymous':
      return actor ? `${actor} (not signed in)` : 'anonymous';
    default:
      return actor ?? kind;
  }
}
