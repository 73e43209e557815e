import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ServiceEventPageView, ServiceEventQueryDto, ServiceEventView } from '@mcp-proxy/shared/dto';
import { Brackets, Repository } from 'typeorm';
import type { Principal } from '../core/auth/principal';
import { decodeCursor, encodeCursor } from './event-cursor';
import { ServiceEventEntity } from './service-event.entity';

const DEFAULT_PAGE = 50;

/** Reads of the kept service events: newest first, paged by cursor, limited to the services the caller may see. */
@Injectable()
export class ServiceEventsService {
  constructor(@InjectRepository(ServiceEventEntity) private readonly events: Repository<ServiceEventEntity>) {}

  async page(query: ServiceEventQueryDto, principal: Principal | undefined): Promise<ServiceEventPageView> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const builder = this.events.createQueryBuilder('event');
    const allowed = principal?.scope?.services;
    if (allowed) {
      if (allowed.length === 0) builder.andWhere('1 = 0');
      else builder.andWhere('(event.serviceId IN (:...allowed) OR event.serviceName IN (:...allowed))', { allowed });
    }
    if (query.service) builder.andWhere('(event.serviceId = :service OR event.serviceName = :service)', { service: query.service });
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      builder.andWhere(
        new Brackets((where) =>
          where
            .where('event.at < :cursorAt', { cursorAt: cursor.at })
            .orWhere('(event.at = :cursorAt AND event.id < :cursorId)', { cursorAt: cursor.at, cursorId: cursor.id }),
        ),
      );
    }
    // One row more than asked says whether there is a next page.
    const rows = await builder
      .orderBy('event.at', 'DESC')
      .addOrderBy('event.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }
}

function toView(row: ServiceEventEntity): ServiceEventView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    serviceId: row.serviceId,
    serviceName: row.serviceName,
    kind: row.kind,
    message: row.message,
  };
}
