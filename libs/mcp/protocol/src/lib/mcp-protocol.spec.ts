import { mcpProtocol } from './mcp-protocol';

describe('mcpProtocol', () => {
  it('should work', () => {
    expect(mcpProtocol()).toEqual('mcp-protocol');
  });
});
