/**
 * `server.json` records shaped as the MCP Registry serves them (`{server, _meta}`, schema 2025-12-11), for
 * the registry's unit specs and the local stand-in registry of the e2e suite. Written for these tests:
 * an npm server that is in node_modules (so npx resolves it offline), a PyPI one with variables, an image,
 * a remote with headers and a URL variable, and kinds this proxy cannot run. Specs only (not built).
 */

export const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

type Json = Record<string, unknown>;

/** Wraps a server.json as one entry of `GET /v0.1/servers`. */
export function entry(server: Json, meta: { isLatest?: boolean; status?: string; publishedAt?: string } = {}): Json {
  return {
    server: { $schema: SCHEMA, ...server },
    _meta: {
      'io.modelcontextprotocol.registry/official': {
        status: meta.status ?? 'active',
        publishedAt: meta.publishedAt ?? '2026-01-05T10:00:00Z',
        updatedAt: meta.publishedAt ?? '2026-01-05T10:00:00Z',
        isLatest: meta.isLatest ?? true,
      },
    },
  };
}

/** The reference server from npm, with a required variable, an optional one with a default, and its `stdio` mode argument. */
export function everythingServer(version: string, packageVersion: string): Json {
  return {
    name: 'io.github.modelcontextprotocol/server-everything',
    title: 'Everything',
    description: 'MCP server that exercises all the features of the MCP protocol',
    version,
    repository: { url: 'https://github.com/modelcontextprotocol/servers', source: 'github', subfolder: 'src/everything' },
    websiteUrl: 'https://modelcontextprotocol.io',
    packages: [
      {
        registryType: 'npm',
        registryBaseUrl: 'https://registry.npmjs.org',
        identifier: '@modelcontextprotocol/server-everything',
        version: packageVersion,
        runtimeHint: 'npx',
        transport: { type: 'stdio' },
        packageArguments: [{ type: 'positional', value: 'stdio', valueHint: 'mode' }],
        environmentVariables: [
          {
            name: 'EVERYTHING_TOKEN',
            description: 'A token the server does not need (the test checks it stays secret)',
            isRequired: true,
            isSecret: true,
          },
          { name: 'EVERYTHING_REGION', description: 'Region', default: 'eu', choices: ['eu', 'us'] },
        ],
      },
    ],
  };
}

/** A PyPI server run with uvx, with a named argument and a repeatable positional one. */
export function weatherServer(version: string): Json {
  return {
    name: 'io.github.example/weather-mcp',
    description: 'Weather forecasts for MCP clients',
    version,
    packages: [
      {
        registryType: 'pypi',
        registryBaseUrl: 'https://pypi.org',
        identifier: 'weather-mcp-server',
        version,
        runtimeHint: 'uvx',
        transport: { type: 'stdio' },
        packageArguments: [
          { type: 'named', name: '--units', description: 'Temperature units', default: 'celsius', choices: ['celsius', 'fahrenheit'] },
          { type: 'positional', valueHint: 'city', description: 'Cities to watch', isRequired: true, isRepeated: true },
          { type: 'named', name: '--verbose', format: 'boolean' },
        ],
        environmentVariables: [
          { name: 'WEATHER_API_KEY', description: 'API key of the weather service', isRequired: true, isSecret: true },
        ],
      },
    ],
  };
}

/** An image, run with the container engine; its tag is in the identifier, as the schema asks of OCI packages. */
export function imageServer(): Json {
  return {
    name: 'io.github.example/image-tools',
    description: 'Tools packaged as a container image',
    version: '2.0.0',
    packages: [
      {
        registryType: 'oci',
        identifier: 'ghcr.io/example/image-tools:2.0.0',
        transport: { type: 'stdio' },
        runtimeArguments: [
          {
            type: 'named',
            name: '--mount',
            value: 'type=bind,src={source},dst=/data',
            variables: { source: { description: 'Directory to share', isRequired: true, format: 'filepath' } },
          },
        ],
        environmentVariables: [{ name: 'IMAGE_TOKEN', isSecret: true, isRequired: true }],
      },
    ],
  };
}

/** A hosted server: a Streamable HTTP endpoint with a tenant in its URL and a secret header, and an SSE one. */
export function remoteServer(url: string): Json {
  return {
    name: 'com.example/hosted-tools',
    description: 'Hosted tools',
    version: '3.1.0',
    remotes: [
      {
        type: 'streamable-http',
        url,
        headers: [
          {
            name: 'Authorization',
            value: 'Bearer {token}',
            variables: { token: { isRequired: true, isSecret: true, description: 'API token' } },
          },
          { name: 'X-Region', default: 'eu', choices: ['eu', 'us'] },
        ],
      },
      { type: 'sse', url: 'https://{tenant}.example.com/sse', variables: { tenant: { isRequired: true, description: 'Your tenant' } } },
    ],
  };
}

/** Kinds this proxy does not run: a .NET tool and a bundle, and a package that serves HTTP itself. */
export function unsupportedServer(): Json {
  return {
    name: 'io.github.example/dotnet-tools',
    description: 'Packages this proxy cannot run',
    version: '0.4.0',
    packages: [
      { registryType: 'nuget', identifier: 'Example.Tools', version: '0.4.0', runtimeHint: 'dnx', transport: { type: 'stdio' } },
      {
        registryType: 'npm',
        identifier: '@example/http-tools',
        version: '0.4.0',
        transport: { type: 'streamable-http', url: 'http://localhost:{port}/mcp' },
      },
      {
        registryType: 'npm',
        identifier: '@example/secret-args',
        version: '0.4.0',
        transport: { type: 'stdio' },
        packageArguments: [{ type: 'named', name: '--api-key', isSecret: true, isRequired: true }],
      },
    ],
  };
}
