import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  RawBody,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DeployAcceptedView, DeployRequestDto, WebhookResultView } from '@mcp-proxy/shared/dto';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited.decorator';
import type { RequestWithPrincipal } from '../core/auth/principal';
import { Public } from '../core/auth/public.decorator';
import { RequiresRole } from '../core/auth/roles.decorator';
import { AppConfig } from '../core/config/app-config';
import { DeployService } from './deploy.service';
import { DELIVERY_HEADER, EVENT_HEADER, isValidSignature, SIGNATURE_HEADER } from './webhook/webhook-signature';
import { WebhookService } from './webhook/webhook.service';

@ApiTags('github')
@Controller('github')
export class GithubController {
  constructor(
    private readonly deploys: DeployService,
    private readonly webhooks: WebhookService,
    private readonly config: AppConfig,
  ) {}

  @Post('deploy')
  @RequiresRole('operator')
  @ApiSecurity('api-key')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      "Deploy a repository as a service (created if missing) or redeploy it; follow GET /api/deployments/:id. Within the caller's service limits; " +
      'another repository for an existing service needs an admin and "replace": true (audited as deploy.replace)',
  })
  deploy(@Body() body: DeployRequestDto, @Req() request: Request & RequestWithPrincipal): Promise<DeployAcceptedView> {
    // The global guards ran: a missing principal is a wiring bug, so refuse.
    if (!request.principal) throw new ForbiddenException('No authenticated principal');
    return this.deploys.deploy(body, request.principal);
  }

  /** No API key (GitHub has none): the HMAC of the raw body with GITHUB_WEBHOOK_SECRET stands in for it. */
  @Public()
  @Audited('github.webhook')
  @Post('webhook')
  @ApiOperation({ summary: 'GitHub webhook (X-Hub-Signature-256 checked): a push to a deployed branch redeploys the service' })
  async webhook(
    @Req() request: Request,
    @RawBody() rawBody: Buffer | undefined,
    @Res({ passthrough: true }) response: Response,
    @Headers(EVENT_HEADER) event: string | undefined,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Headers(DELIVERY_HEADER) delivery: string | undefined,
  ): Promise<WebhookResultView> {
    const secret = this.config.get('GITHUB_WEBHOOK_SECRET');
    if (!secret) throw new UnauthorizedException('Webhooks are off: set GITHUB_WEBHOOK_SECRET (the secret of the GitHub webhook)');
    if (!isValidSignature(rawBody, signature, secret)) {
      throw new UnauthorizedException('X-Hub-Signature-256 is missing or does not match the body (check the webhook secret)');
    }
    // Checked after the signature: an unsigned request learns nothing from it.
    if (!delivery || !/^[A-Za-z0-9-]{1,100}$/.test(delivery))
      throw new BadRequestException(['X-GitHub-Delivery must be the delivery id GitHub sends (letters, digits and dashes)']);
    const result = await this.webhooks.handleOnce(delivery, event, request.body);
    response.status(result.result === 'pong' ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return result;
  }
}
