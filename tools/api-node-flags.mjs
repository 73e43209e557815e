// How the API process is run, wherever we run it (npm start, the Dockerfile, the benchmarks), so the
// figures we publish are those of the product as users start it.
//
// --max-semi-space-size=4: V8 grows its young generation to 16 MB semi-spaces during start-up's burst of
// allocation and keeps them, ~30 MB of idle RSS for nothing; capped at 4 MB the idle proxy stays near
// 105 MB instead of 125 MB, and the data plane's short-lived garbage still fits (README: Performance).
export const API_NODE_FLAGS = ['--max-semi-space-size=4'];
