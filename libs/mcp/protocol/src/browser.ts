// What a browser may import from the protocol library: the SSE parser and the JSON-RPC types and helpers. The
// rest reads bytes with Node's Buffer (the envelope scanner, byte-held messages) and is for the server only.
export * from './lib/json-rpc';
export * from './lib/sse';
