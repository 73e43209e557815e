// How the API process is run, wherever we run it (npm start, the Dockerfile, the systemd unit, the benchmarks),
// so the figures we publish are those of the product as users start it. Keep the Dockerfile's CMD and
// deploy/mcp-proxy.service in step (a unit test compares them).
//
// --max-semi-space-size=4: V8 grows its young generation to 16 MB semi-spaces during start-up's burst of
// allocation and keeps them, ~30 MB of idle RSS for nothing; capped at 4 MB the data plane's short-lived
// garbage still fits.
//
// --initial-heap-size=128: V8 counts the buffers allocated since its last full collection (socket and pipe
// reads, a message joined from them) against the old generation's limit. With the default limit, ~30 MB
// above the proxy's live heap, every 7th 1 MiB echo started a full mark-compact of the whole heap that freed
// nothing but those buffers, about half of the proxy's CPU per large call. A 128 MB floor leaves ~70 MB of
// room: a quarter of the collections, ~9 MB more idle RSS (README: Performance).
export const API_NODE_FLAGS = ['--max-semi-space-size=4', '--initial-heap-size=128'];
