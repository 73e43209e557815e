#!/usr/bin/env node
// `npm start`: builds the API and the admin app (Nx cache makes this instant when nothing changed),
// then runs the production bundle in this process's place, passing signals through.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { API_NODE_FLAGS } from './api-node-flags.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

const build = spawnSync(
  process.execPath,
  ['node_modules/nx/dist/bin/nx.js', 'run-many', '-t', 'build', '-p', 'api', 'admin', '--outputStyle=static'],
  { cwd: root, stdio: 'inherit', env: nxEnv },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const api = spawn(process.execPath, [...API_NODE_FLAGS, 'dist/apps/api/main.js'], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => api.kill(signal));
api.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
