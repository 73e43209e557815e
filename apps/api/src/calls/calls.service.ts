import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CALL_PAGE_MAX, type CallLogDetailView, type CallLogPageView, type CallLogQueryDto, type CallLogView } from '@mcp-proxy/shared/dto';
import { Brackets, Repository, SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../core/auth/principal';
import { CallLogEntity } from './call-log.entity';

const DEFAULT_PAGE = 100;

/** Where a page ends: the last row's time and id, handed out opaque (base64url JSON). */
interface Cursor {
  at: string;
  id: string;
}

function encodeCursor(row: CallLogEntity): string {
  return Buffer.from(JSON.stringify([row.at.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const at = new Date(value[0]);
      if (!Number.isNaN(at.getTime())) return { at: at.toISOString(), id: value[1] };
    }
  } catch {
    // answered below
  }
  throw new BadRequestException('cursor must be the nextCursor of a previous page');
}

/** The call history's reads: filtered, newest first, paged by cursor, limited to the services the caller may see. */
@Injectable()
export class CallsService {
  constructor(@InjectRepository(CallLogEntity) private readonly calls: Repository<CallLogEntity>) {}

  async page(query: CallLogQueryDto, principal: Principal | undefined): Promise<CallLogPageView> {
    const limit = query.limit ?? DEFAULT_PAGE;
    if (!query.format && limit > CALL_PAGE_MAX)
      throw new BadRequestException([`limit must not be greater than ${CALL_PAGE_MAX} (an export with format may ask for more)`]);
    // One row more than asked says whether there is a next page.
    const rows = await this.filtered(query, principal)
      .orderBy('call.at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** One call with its stored payloads; 404 when unknown or outside the caller's services. */
  async detail(id: string, principal: Principal | undefined): Promise<CallLogDetailView> {
    const row = await withinScope(this.calls.createQueryBuilder('call').addSelect(['call.arguments', 'call.result']), principal)
      .andWhere('call.id = :id', { id })
      .getOne();
    if (!row) throw new NotFoundException(`No recorded call ${id}`);
    return { ...toView(row), arguments: row.arguments, result: row.result };
  }

  private filtered(query: CallLogQueryDto, principal: Principal | undefined): SelectQueryBuilder<CallLogEntity> {
    const builder = withinScope(this.calls.createQueryBuilder('call'), principal);
    if (query.service) builder.andWhere('(call.serviceId = :service OR call.serviceName = :service)', { service: query.service });
    if (query.tool) builder.andWhere('(call.tool = :tool OR call.originalTool = :tool)', { tool: query.tool });
    if (query.principal)
      builder.andWhere('(call.principalId = :principal OR call.principalLabel = :principal)', { principal: query.principal });
    if (query.outcome) builder.andWhere('call.outcome = :outcome', { outcome: query.outcome });
    if (query.from) builder.andWhere('call.at >= :from', { from: new Date(query.from) });
    if (query.to) builder.andWhere('call.at < :to', { to: new Date(query.to) });
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      const at = new Date(cursor.at);
      builder.andWhere(
        new Brackets((where) =>
          where.where('call.at < :cursorAt', { cursorAt: at }).orWhere('(call.at = :cursorAt AND call.id < :cursorId)', {
            cursorAt: at,
            cursorId: cursor.id,
          }),
        ),
      );
    }
    return builder;
  }
}

/** A principal limited to some services sees the calls those services served, and nothing else. */
export function withinScope<T extends SelectQueryBuilder<CallLogEntity>>(builder: T, principal: Principal | undefined): T {
  const allowed = principal?.scope?.services;
  if (allowed) {
    if (allowed.length === 0) builder.andWhere('1 = 0');
    else builder.andWhere('(call.serviceId IN (:...allowed) OR call.serviceName IN (:...allowed))', { allowed });
  }
  return builder;
}

function toView(row: CallLogEntity): CallLogView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    instance: row.instance,
    principalKind: row.principalKind,
    principalId: row.principalId,
    principalLabel: row.principalLabel,
    clientName: row.clientName,
    clientVersion: row.clientVersion,
    endpoint: row.endpoint,
    serviceId: row.serviceId,
    serviceName: row.serviceName,
    method: row.method,
    tool: row.tool,
    originalTool: row.originalTool,
    durationMs: row.durationMs,
    outcome: row.outcome,
    errorCode: row.errorCode,
    requestBytes: row.requestBytes,
    responseBytes: row.responseBytes,
    argumentsSha256: row.argumentsSha256,
  };
}
