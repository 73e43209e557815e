import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER } from '@mcp-proxy/shared/dto';
import { APP_VERSION } from './version';

/** OpenAPI 3 at /api/docs (UI) and /api/docs-json; built on first request to keep start-up fast. */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('MCP Reverse Proxy')
    .setDescription('Management API: services, deployments, network, certificates. MCP endpoints are under /mcp.')
    .setVersion(APP_VERSION)
    .addApiKey({ type: 'apiKey', name: API_KEY_HEADER, in: 'header' }, 'api-key')
    .addBearerAuth()
    .addSecurityRequirements('api-key')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}
