export * from './lib/mcp-protocol';
