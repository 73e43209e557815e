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

// MALLOC_MMAP_THRESHOLD_=16384: every socket or pipe read is a fresh buffer of up to 64 KiB. glibc serves those from
// its heap, and once a large block has been freed it raises its threshold and serves even megabytes there; what is
// freed in the middle of that heap is never given back, so a burst of large messages left RSS ~100 MB up for good.
// A fixed threshold maps each buffer of 16 KiB or more on its own and unmaps it when V8 frees it: RSS returns to
// idle after a burst, and idle RSS itself is ~10 MB lower. At 64 KiB, reads cut shorter than that (a pipe's usual)
// still filled the heap. (glibc only; other C libraries ignore it.)
export const API_ENVIRONMENT = { MALLOC_MMAP_THRESHOLD_: '16384' };
