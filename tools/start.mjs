#!/usr/bin/env node
// `npm start`: builds the API and the admin app (Nx cache makes this instant when nothing changed), then runs
// the production bundle as a child. Stopping: one SIGINT/SIGTERM to the terminal's group, to npm, to this
// launcher or to the API each give one graceful stop (the API treats copies within a second as one), and
// nothing outlives its parent: this launcher stops the API when npm goes away, the API stops when this
// launcher goes away (its IPC channel closes).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { API_ENVIRONMENT, API_NODE_FLAGS } from './api-node-flags.mjs';
import { runFilteredBuild } from './build-output.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

const built = await runFilteredBuild(
  spawn,
  process.execPath,
  ['node_modules/nx/dist/bin/nx.js', 'run-many', '-t', 'build', '-p', 'api', 'admin', '--outputStyle=static'],
  { cwd: root, env: nxEnv },
);
if (built !== 0) process.exit(built);

const api = spawn(process.execPath, [...API_NODE_FLAGS, 'dist/apps/api/main.js'], {
  cwd: root,
  // A setting of the user's own (MALLOC_MMAP_THRESHOLD_=131072: README, Large messages) wins over ours.
  env: { ...API_ENVIRONMENT, ...process.env },
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => api.kill(signal));
api.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// npm passes SIGINT/SIGTERM on, but a parent that dies another way would leave us serving as an orphan.
const parent = process.ppid;
const watchParent = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watchParent);
  api.kill('SIGTERM');
}, 500);
