import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { CallMethod, CallStatsQueryDto, CallStatsRange, CallStatsView, CallToolStatsView } from '@mcp-proxy/shared/dto';
import { Repository, SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../core/auth/principal';
import { Clock } from '../core/time/clock';
import { CallLogEntity } from './call-log.entity';
import { withinScope } from './calls.service';

const RANGE_MS: Record<CallStatsRange, number> = { hour: 3_600_000, day: 86_400_000, month: 30 * 86_400_000 };
const MAX_TOOLS = 200;
const TOP_CLIENTS = 3;
/** A group's call counts under the member and the member's own name. */
const TOOL = 'COALESCE(call.originalTool, call.tool)';

interface FigureRow {
  serviceId: string;
  serviceName: string;
  method: string;
  tool: string | null;
  calls: number | string;
  errors: number | string;
  p50: number | string | null;
  p95: number | string | null;
}

interface ClientRow {
  serviceId: string;
  method: string;
  tool: string | null;
  client: string;
  calls: number | string;
}

/**
 * Per-tool figures of the call history (calls, error rate, p50/p95 latency, top clients), computed by the
 * database on SQLite and PostgreSQL alike: window functions rank each tool's durations, so the percentiles
 * are nearest-rank ones read off that order, with no rows brought into the process.
 */
@Injectable()
export class CallStatsService {
  constructor(
    @InjectRepository(CallLogEntity) private readonly calls: Repository<CallLogEntity>,
    private readonly clock: Clock,
  ) {}

  async stats(query: CallStatsQueryDto, principal: Principal | undefined): Promise<CallStatsView> {
    const range = query.range ?? 'day';
    const to = new Date(this.clock.now());
    const from = new Date(to.getTime() - RANGE_MS[range]);
    const window = (): SelectQueryBuilder<CallLogEntity> => {
      const builder = withinScope(this.calls.createQueryBuilder('call'), principal).andWhere('call.at >= :from', { from });
      if (query.service) builder.andWhere('(call.serviceId = :service OR call.serviceName = :service)', { service: query.service });
      return builder;
    };
    const partition = `PARTITION BY call.serviceId, call.method, ${TOOL}`;
    const [rankedSql, rankedParams] = window()
      .select('call.serviceId', 'serviceId')
      .addSelect('call.serviceName', 'serviceName')
      .addSelect('call.method', 'method')
      .addSelect(TOOL, 'tool')
      .addSelect('call.outcome', 'outcome')
      .addSelect('call.durationMs', 'durationMs')
      .addSelect(`ROW_NUMBER() OVER (${partition} ORDER BY call.durationMs)`, 'rank')
      .addSelect(`COUNT(*) OVER (${partition})`, 'total')
      .getQueryAndParameters();
    // Nearest rank: the ceil(p × n)-th duration, in integer arithmetic both databases share.
    const figures: FigureRow[] = await this.calls.query(
      `SELECT "serviceId", MAX("serviceName") AS "serviceName", "method", "tool", COUNT(*) AS "calls",
         SUM(CASE WHEN "outcome" IN ('tool_error', 'error', 'timeout') THEN 1 ELSE 0 END) AS "errors",
         MAX(CASE WHEN "rank" = ("total" * 50 + 99) / 100 THEN "durationMs" END) AS "p50",
         MAX(CASE WHEN "rank" = ("total" * 95 + 99) / 100 THEN "durationMs" END) AS "p95"
       FROM (${rankedSql}) ranked
       GROUP BY "serviceId", "method", "tool"
       ORDER BY COUNT(*) DESC, "serviceId", "tool"
       LIMIT ${MAX_TOOLS}`,
      rankedParams,
    );
    const [clientSql, clientParams] = window()
      .select('call.serviceId', 'serviceId')
      .addSelect('call.method', 'method')
      .addSelect(TOOL, 'tool')
      .addSelect('COALESCE(call.clientName, call.principalLabel, call.principalId)', 'client')
      .addSelect('COUNT(*)', 'calls')
      .groupBy('call.serviceId')
      .addGroupBy('call.method')
      .addGroupBy(TOOL)
      .addGroupBy('COALESCE(call.clientName, call.principalLabel, call.principalId)')
      .orderBy('COUNT(*)', 'DESC')
      .getQueryAndParameters();
    const clients: ClientRow[] = await this.calls.query(clientSql, clientParams);
    const key = (row: { serviceId: string; method: string; tool: string | null }): string =>
      JSON.stringify([row.serviceId, row.method, row.tool]);
    const topClients = new Map<string, CallToolStatsView['topClients']>();
    for (const row of clients) {
      const list = topClients.get(key(row)) ?? [];
      if (list.length < TOP_CLIENTS) list.push({ client: row.client, calls: Number(row.calls) });
      topClients.set(key(row), list);
    }
    return {
      range,
      from: from.toISOString(),
      to: to.toISOString(),
      tools: figures.map((row) => {
        const calls = Number(row.calls);
        const errors = Number(row.errors);
        return {
          serviceId: row.serviceId,
          serviceName: row.serviceName,
          method: row.method as CallMethod,
          tool: row.tool,
          calls,
          errors,
          errorRate: calls === 0 ? 0 : errors / calls,
          p50Ms: Number(row.p50 ?? 0),
          p95Ms: Number(row.p95 ?? 0),
          topClients: topClients.get(key(row)) ?? [],
        };
      }),
    };
  }
}
