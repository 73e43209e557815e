import { Module } from '@nestjs/common';
import { TemplatesController } from './templates.controller';

/** `GET /api/templates`: static data from the shared library, nothing stored. */
@Module({ controllers: [TemplatesController] })
export class TemplatesModule {}
