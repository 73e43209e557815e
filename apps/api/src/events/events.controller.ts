import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ServiceEventPageView, ServiceEventQueryDto } from '@mcp-proxy/shared/dto';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { ServiceEventsService } from './service-events.service';

/** Service events for the dashboard: every role reads them (a limited one its services' only); client tokens never reach them. */
@ApiTags('observability')
@ApiSecurity('api-key')
@Controller('events')
export class EventsController {
  constructor(private readonly events: ServiceEventsService) {}

  @Get()
  @ApiOperation({ summary: 'Recent service events (crashed, failed, restarting, running, stopped), newest first, paged by cursor' })
  page(@Query() query: ServiceEventQueryDto, @Req() request: RequestWithPrincipal): Promise<ServiceEventPageView> {
    return this.events.page(query, request.principal);
  }
}
