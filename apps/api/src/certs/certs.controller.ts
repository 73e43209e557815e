import { BadGatewayException, ConflictException, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { CertStatusView } from '@mcp-proxy/shared/dto';
import { CertificateManager } from './certificate-manager';

/** The HTTPS certificate: what is served, when it renews, what went wrong. */
@ApiTags('certificates')
@ApiSecurity('api-key')
@Controller('certs')
export class CertsController {
  constructor(private readonly certificates: CertificateManager) {}

  @Get('status')
  @ApiOperation({ summary: 'The certificate served on HTTPS_PORT, its dates, the renewal plan and the last error' })
  status(): CertStatusView {
    return this.certificates.status();
  }

  @Post('renew')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Order (or make) a new certificate now and swap it in; 502 with the reason when it fails' })
  async renew(): Promise<CertStatusView> {
    if (!this.certificates.status().enabled) throw new ConflictException('TLS is off: set SSL_ENABLED=true to serve HTTPS');
    try {
      return await this.certificates.renewNow();
    } catch (error) {
      throw new BadGatewayException(error instanceof Error ? error.message : String(error));
    }
  }
}
