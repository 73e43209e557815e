import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './built-app';

/** Pebble (Let's Encrypt's test CA) and its mock DNS, on loopback, for one test file. */
export interface PebbleCa {
  /** `https://127.0.0.1:PORT/dir` */
  directoryUrl: string;
  /** The CA that signed Pebble's own HTTPS certificate (not the ACME root): what an ACME client must trust. */
  apiCa: string;
  /** Pebble's ACME root, fetched from its management API: what a TLS client of an issued certificate trusts. */
  issuingRoot: string;
  /** Pebble again on the same ports with no memory (accounts, orders) and a new root, as a CA reset looks to a client. */
  restart(): Promise<void>;
  /** `127.0.0.1:PORT` of pebble-challtestsrv's DNS, which answers 127.0.0.1 for every name. */
  dnsServer: string;
  /** `http://127.0.0.1:PORT` of pebble-challtestsrv's management API (set-txt, clear-txt). */
  challengeServer: string;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /** Port Pebble's HTTP-01 validator dials on the name's address (the app's plain HTTP port). */
  httpPort: number;
  /** Lifetime of issued certificates; Pebble's default is five years. */
  certificateValiditySec?: number;
}

export function pebbleInstalled(): boolean {
  return spawnSync('pebble', ['-h']).error === undefined && spawnSync('pebble-challtestsrv', ['-h']).error === undefined;
}

export async function startPebble(options: PebbleOptions): Promise<PebbleCa> {
  const dir = mkdtempSync(join(tmpdir(), 'pebble-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const apiCa = makeApiCertificate(dir);
    const [acmePort, managementPort, tlsPort, dnsPort, challengeManagementPort] = await distinctFreePorts(5);
    const dnsServer = `127.0.0.1:${dnsPort}`;

    children.push(
      spawnLogged(
        'pebble-challtestsrv',
        [
          '-defaultIPv4',
          '127.0.0.1',
          '-defaultIPv6',
          '',
          '-dns01',
          dnsServer,
          '-management',
          `127.0.0.1:${challengeManagementPort}`,
          '-http01',
          '',
          '-https01',
          '',
          '-tlsalpn01',
          '',
        ],
        {},
      ),
    );
    const config = {
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, 'pebble.crt'),
        privateKey: join(dir, 'pebble.key'),
        httpPort: options.httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(options.certificateValiditySec ? { certificateValidityPeriod: options.certificateValiditySec } : {}),
      },
    };
    writeFileSync(join(dir, 'pebble.json'), JSON.stringify(config));
    const startCa = async (): Promise<string> => {
      children.push(spawnLogged('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', dnsServer], { PEBBLE_VA_NOSLEEP: '1' }));
      await Promise.all([waitForPort(acmePort), waitForPort(managementPort)]);
      return httpsGet(`https://127.0.0.1:${managementPort}/roots/0`, apiCa);
    };
    const [issuingRoot] = await Promise.all([startCa(), waitForPort(challengeManagementPort)]);
    const pebble: PebbleCa = {
      directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
      apiCa,
      issuingRoot,
      dnsServer,
      challengeServer: `http://127.0.0.1:${challengeManagementPort}`,
      restart: async () => {
        const ca = children.pop() as ChildProcess;
        await stopChild(ca);
        pebble.issuingRoot = await startCa();
      },
      stop,
    };
    return pebble;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A throwaway CA and a certificate for 127.0.0.1/localhost signed by it: the Debian package ships none. */
function makeApiCertificate(dir: string): string {
  const run = (args: string[]): void => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=pebble api test CA']);
  run(['req', ...ec, '-keyout', 'pebble.key', '-out', 'pebble.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
  run([
    'x509',
    '-req',
    '-in',
    'pebble.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'pebble.crt',
  ]);
  return readFileSync(join(dir, 'ca.crt'), 'utf8');
}

function spawnLogged(command: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    // The tail is enough to explain a failure; the whole log of a long run is not needed.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => {
    if (code !== null && code !== 0) process.stderr.write(`${command} exited with ${code ?? signal}:\n${output}\n`);
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${response.statusCode}`))));
    });
    req.once('error', reject);
    req.end();
  });
}
