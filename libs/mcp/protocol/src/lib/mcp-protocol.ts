export function mcpProtocol(): string {
  return 'mcp-protocol';
}
