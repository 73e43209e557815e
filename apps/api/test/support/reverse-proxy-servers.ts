import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, WORKSPACE_ROOT } from './built-app';

/**
 * nginx and Caddy, started by a test as its own children on loopback ports, in front of the app, from
 * the configurations the README tells users to copy (deploy/nginx, deploy/caddy). Only what differs
 * on a test machine is replaced: ports, certificate paths, and (Caddy) where it keeps its state.
 */

/** The public name both configurations serve; clients resolve it to loopback (see tls-clients). */
export const PUBLIC_HOST = 'mcp.example.com';
/** The upstream both configurations name; replaced by the app's port. */
const CONFIGURED_UPSTREAM = '127.0.0.1:8437';

export type ReverseProxyKind = 'nginx' | 'caddy';

export interface ReverseProxy {
  kind: ReverseProxyKind;
  /** `https://mcp.example.com:<port>`: the origin clients use. */
  publicOrigin: string;
  port: number;
  /** The self-signed certificate the proxy serves, for the clients' `ca`. */
  certificate: string;
  stop(): Promise<void>;
}

/** Why the binary cannot be used here (the test then skips and prints this), or null. */
export function unavailableReason(kind: ReverseProxyKind): string | null {
  const probe = kind === 'nginx' ? spawnSync('nginx', ['-v']) : spawnSync('caddy', ['version']);
  if (probe.error)
    return `${kind} is not installed (apt-get install ${kind === 'nginx' ? 'nginx-light' : 'caddy'}): ${probe.error.message}`;
  return null;
}

export async function startReverseProxy(kind: ReverseProxyKind, appPort: number): Promise<ReverseProxy> {
  const dir = mkdtempSync(join(tmpdir(), `mcp-proxy-${kind}-`));
  // nginx's workers run as an unprivileged user when the test is root: they must reach the temp paths.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const { certPath, keyPath, certificate } = makeCertificate(dir);
  let output = '';
  const child = kind === 'nginx' ? startNginx(dir, port, appPort, certPath, keyPath) : startCaddy(dir, port, appPort, certPath, keyPath);
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => `${output}${kind === 'nginx' ? readIfThere(join(dir, 'error.log')) : ''}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind,
    port,
    publicOrigin: `https://${PUBLIC_HOST}:${port}`,
    certificate,
    stop,
  };
}

function startNginx(dir: string, port: number, appPort: number, certPath: string, keyPath: string): ChildProcess {
  const site = readFileSync(join(WORKSPACE_ROOT, 'deploy', 'nginx', 'mcp-proxy.conf'), 'utf8')
    .replace('listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`)
    .split(CONFIGURED_UPSTREAM)
    .join(`127.0.0.1:${appPort}`)
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${certPath};`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${keyPath};`);
  writeFileSync(join(dir, 'mcp-proxy.conf'), site);
  for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  // What /etc/nginx/nginx.conf gives the site file in a real install, with every path in our temp dir.
  const main = [
    'worker_processes 1;',
    `error_log ${join(dir, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (temp) => `  ${temp === 'body' ? 'client_body' : temp}_temp_path ${join(dir, temp)};`,
    ),
    `  include ${join(dir, 'mcp-proxy.conf')};`,
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), main);
  return spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

function startCaddy(dir: string, port: number, appPort: number, certPath: string, keyPath: string): ChildProcess {
  const site = readFileSync(join(WORKSPACE_ROOT, 'deploy', 'caddy', 'Caddyfile'), 'utf8')
    .replace(`${PUBLIC_HOST} {`, `${PUBLIC_HOST}:${port} {\n\tbind 127.0.0.1\n\ttls ${certPath} ${keyPath}`)
    .split(CONFIGURED_UPSTREAM)
    .join(`127.0.0.1:${appPort}`);
  // No admin endpoint, no port 80 redirect listener, nothing asked of an ACME CA.
  const global = ['{', '\tadmin off', '\tauto_https disable_redirects', `\tstorage file_system ${join(dir, 'data')}`, '}', ''].join('\n');
  writeFileSync(join(dir, 'Caddyfile'), `${global}${site}`);
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  };
  return spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** A self-signed certificate for the public name, as the reverse proxy's own (a real install: Let's Encrypt). */
function makeCertificate(dir: string): {
  certPath: string;
  keyPath: string;
  certificate: string;
} {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
  ];
  const result = spawnSync('openssl', [...args, '-subj', `/CN=${PUBLIC_HOST}`, '-addext', `subjectAltName=DNS:${PUBLIC_HOST}`], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return { certPath, keyPath, certificate: readFileSync(certPath, 'utf8') };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the reverse proxy exited (${child.exitCode}): ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the reverse proxy did not listen on ${port} within ${timeoutMs} ms: ${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (child.exitCode !== null || child.signalCode !== null || pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const group = -pid;
    const timer = setTimeout(() => signalGroup(group, 'SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      // nginx's workers leave with their master on SIGTERM; the group signal makes sure of it.
      signalGroup(group, 'SIGKILL');
      resolve();
    });
    // A fast stop for both (nginx's SIGQUIT would wait for the open MCP streams).
    signalGroup(group, 'SIGTERM');
  });
}

/** The child was spawned detached, so its process group is its own: nginx's workers included. */
function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch {
    // Already gone.
  }
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
