import { Module } from '@nestjs/common';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { TemplatesController } from './templates.controller';
import { TemplatesService } from './templates.service';

/** `GET /api/templates`: static data from the shared library, checked against the runners this host has. */
@Module({ imports: [SupervisorModule], controllers: [TemplatesController], providers: [TemplatesService] })
export class TemplatesModule {}
