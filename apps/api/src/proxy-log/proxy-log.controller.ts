import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ProxyLogQueryDto, ProxyLogView } from '@mcp-proxy/shared/dto';
import { RequiresRole } from '../core/auth/roles.decorator';
import { PROXY_LOG_CAPACITY, ProxyLogRing } from '../core/logging/proxy-log-ring';
import { SecretMasker } from '../supervisor/logging/secret-masker';
import { PROXY_SECRETS } from '../supervisor/spawn/proxy-secrets';

const DEFAULT_TAIL = 500;

/** The proxy's own recent log, for admins only (it names every service and client); the proxy's secrets masked. */
@ApiTags('observability')
@ApiSecurity('api-key')
@Controller('logs/proxy')
export class ProxyLogController {
  private readonly masker: SecretMasker;

  constructor(
    private readonly ring: ProxyLogRing,
    @Inject(PROXY_SECRETS) secrets: string[],
  ) {
    this.masker = new SecretMasker(secrets);
  }

  @Get()
  @RequiresRole('admin')
  @ApiOperation({ summary: "The proxy's own newest log lines (kept in memory, this instance), oldest first, secrets masked" })
  tail(@Query() query: ProxyLogQueryDto): ProxyLogView {
    return { lines: this.ring.tail(query.tail ?? DEFAULT_TAIL, (text) => this.masker.mask(text)), capacity: PROXY_LOG_CAPACITY };
  }
}
