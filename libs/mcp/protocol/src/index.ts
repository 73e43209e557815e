export * from './lib/json-rpc';
export * from './lib/stdio-framing';
export * from './lib/sse';
export * from './lib/mcp-constants';
export * from './lib/mcp-http';
export * from './lib/meta';
export * from './lib/json-rpc-peer';
export * from './lib/canonical-json';
