import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_API, requireBuiltApi, WORKSPACE_ROOT } from './built-app';

/**
 * A real UPnP gateway for tests, in network namespaces the lab creates and deletes:
 *
 *   lan [10.99.0.2] ⟷ gw [10.99.0.1 | 11.11.11.2, miniupnpd] ⟷ wan [11.11.11.1, "the internet"]
 *   iso [10.98.0.2] ⟷ void                       (a LAN with no gateway at all)
 *
 * Nothing links to the root namespace, so nothing can leave the machine. The WAN address is not a
 * reserved one because miniupnpd 2.3 refuses to map behind those; packets to it end inside the lab.
 * Processes in the namespaces are reached from the test through Unix sockets (see unix-forward.mjs).
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'network');
const REQUIRED_COMMANDS = ['ip', 'nft', 'miniupnpd', 'upnpc'];
export const LAN_IP = '10.99.0.2';
export const GATEWAY_LAN_IP = '10.99.0.1';
export const WAN_IP = '11.11.11.2';
export const INTERNET_IP = '11.11.11.1';
export const ISO_IP = '10.98.0.2';
export const ISO_ROUTER_IP = '10.98.0.1';
export const INTERNET_PORT = 8080;
const MINIUPNPD_HTTP_PORT = 5555;
export const GATEWAY_DESCRIPTION_URL = `http://${GATEWAY_LAN_IP}:${MINIUPNPD_HTTP_PORT}/rootDesc.xml`;

/**
 * Whether this machine lets us build the lab (root, network namespaces, veth, nftables). A missing
 * Debian package is not a reason to skip: it throws, since `.ci/run` installs them.
 */
export function labSupport(): { ok: true } | { ok: false; reason: string } {
  const missing = REQUIRED_COMMANDS.filter((command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(
      `UPnP lab: ${missing.join(', ')} not found: install the Debian packages iproute2 nftables miniupnpd-nftables miniupnpc (.ci/run does)`,
    );
  }
  const probe = `mup${randomBytes(3).toString('hex')}`;
  const steps: [string, string[]][] = [
    ['create a network namespace', ['ip', 'netns', 'add', probe]],
    ['create a veth pair', ['ip', '-n', probe, 'link', 'add', `${probe}a`, 'type', 'veth', 'peer', 'name', `${probe}b`]],
    ['use nftables in a namespace', ['ip', 'netns', 'exec', probe, 'nft', 'add', 'table', 'inet', 'probe']],
  ];
  try {
    for (const [what, [command, ...args]] of steps) {
      const result = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
      if (result.status !== 0)
        return { ok: false, reason: `cannot ${what} here (${(result.stderr || result.error?.message || '').trim()})` };
    }
    return { ok: true };
  } finally {
    spawnSync('ip', ['netns', 'del', probe]);
  }
}

export interface LabProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

export interface LabApi extends LabProcess {
  socketPath: string;
  /** A JSON request to the API over the Unix socket forwarder. */
  call: <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;
}

export interface UpnpMappingLine {
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
  leaseSec: number;
}

export class UpnpLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'upnp-lab-'));
  private readonly id = randomBytes(2).toString('hex');
  readonly ns = {
    lan: `mu${this.id}-lan`,
    gw: `mu${this.id}-gw`,
    wan: `mu${this.id}-wan`,
    iso: `mu${this.id}-iso`,
    void: `mu${this.id}-void`,
  };
  readonly links = {
    lan: `mu${this.id}l0`,
    gwLan: `mu${this.id}l1`,
    gwWan: `mu${this.id}w0`,
    wan: `mu${this.id}w1`,
    iso: `mu${this.id}i0`,
    void: `mu${this.id}i1`,
  };
  private readonly processes: LabProcess[] = [];
  private miniupnpd: LabProcess | null = null;

  /** Namespaces, links, addresses, routes, the gateway's firewall, miniupnpd and "the internet". */
  async start(): Promise<void> {
    const { ns, links } = this;
    for (const name of Object.values(ns)) sh('ip', 'netns', 'add', name);
    for (const name of Object.values(ns)) sh('ip', '-n', name, 'link', 'set', 'lo', 'up');
    this.veth(ns.lan, links.lan, `${LAN_IP}/24`, ns.gw, links.gwLan, `${GATEWAY_LAN_IP}/24`);
    this.veth(ns.gw, links.gwWan, `${WAN_IP}/24`, ns.wan, links.wan, `${INTERNET_IP}/24`);
    this.veth(ns.iso, links.iso, `${ISO_IP}/24`, ns.void, links.void, `${ISO_ROUTER_IP}/24`);
    sh('ip', '-n', ns.lan, 'route', 'add', 'default', 'via', GATEWAY_LAN_IP);
    sh('ip', '-n', ns.gw, 'route', 'add', 'default', 'via', INTERNET_IP);
    // The "router" of the isolated LAN exists as an address only: nothing there answers SSDP.
    sh('ip', '-n', ns.iso, 'route', 'add', 'default', 'via', ISO_ROUTER_IP);
    sh('ip', 'netns', 'exec', ns.gw, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    this.gatewayFirewall();
    await Promise.all([this.carrier(ns.lan, links.lan), this.carrier(ns.gw, links.gwWan), this.carrier(ns.iso, links.iso)]);
    await this.startMiniupnpd();
    await this.spawnReady(ns.wan, [join(FIXTURES, 'internet-stub.mjs'), INTERNET_IP, String(INTERNET_PORT)]);
  }

  /** Stops what the lab started (by PID) and deletes its namespaces, whatever state the test left. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((started) => started.stop()));
    for (const name of Object.values(this.ns)) spawnSync('ip', ['netns', 'del', name]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The built API inside a namespace, with a Unix-socket forwarder to its BACKEND_PORT. */
  async startApi(namespace: string, vars: Record<string, string>): Promise<LabApi> {
    requireBuiltApi();
    const api = this.spawn(namespace, [BUILT_API], vars);
    const socketPath = join(this.dir, `${namespace}-api.sock`);
    await this.spawnReady(namespace, [join(FIXTURES, 'unix-forward.mjs'), socketPath, vars['BACKEND_PORT']]);
    const call = <T>(method: string, path: string, body?: unknown) => unixJson<T>(socketPath, method, path, vars['API_KEY'], body);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const health = await call('GET', '/health').catch(() => null);
      if (health?.status === 200) break;
      if (api.child.exitCode !== null || Date.now() > deadline) throw new Error(`the API in ${namespace} did not start:\n${api.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { ...api, socketPath, call };
  }

  /** `upnpc -l` from the LAN, as a user would check their router (at its known URL: an SSDP search costs 2 s each time). */
  async listMappings(): Promise<UpnpMappingLine[]> {
    const output = await run('ip', 'netns', 'exec', this.ns.lan, 'upnpc', '-u', GATEWAY_DESCRIPTION_URL, '-l');
    return [...output.matchAll(/^\s*\d+\s+TCP\s+(\d+)->([\d.]+):(\d+)\s+'([^']*)'\s+'[^']*'\s+(\d+)/gm)].map((match) => ({
      externalPort: Number(match[1]),
      internalClient: match[2],
      internalPort: Number(match[3]),
      description: match[4],
      leaseSec: Number(match[5]),
    }));
  }

  /** Another device on the LAN maps a port for itself (secure_mode is off, so upnpc may name any client). */
  async mapForAnotherDevice(internalClient: string, port: number): Promise<void> {
    await run(
      'ip',
      'netns',
      'exec',
      this.ns.lan,
      'upnpc',
      '-u',
      GATEWAY_DESCRIPTION_URL,
      '-e',
      'another device',
      '-a',
      internalClient,
      String(port),
      String(port),
      'TCP',
      '0',
    );
  }

  private veth(nsA: string, linkA: string, addressA: string, nsB: string, linkB: string, addressB: string): void {
    sh('ip', '-n', nsA, 'link', 'add', linkA, 'type', 'veth', 'peer', 'name', linkB, 'netns', nsB);
    sh('ip', '-n', nsA, 'addr', 'add', addressA, 'dev', linkA);
    sh('ip', '-n', nsB, 'addr', 'add', addressB, 'dev', linkB);
    sh('ip', '-n', nsA, 'link', 'set', linkA, 'up');
    sh('ip', '-n', nsB, 'link', 'set', linkB, 'up');
  }

  /** The chains miniupnpd fills in (its defaults), plus the masquerading any home router does. */
  private gatewayFirewall(): void {
    const rules = `
table inet filter {
  chain miniupnpd {
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    jump miniupnpd
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
  }
}
table ip lab_nat {
  chain postrouting {
    type nat hook postrouting priority 110; policy accept;
    oifname "${this.links.gwWan}" masquerade
  }
}
`;
    const file = join(this.dir, 'gateway.nft');
    writeFileSync(file, rules);
    sh('ip', 'netns', 'exec', this.ns.gw, 'nft', '-f', file);
  }

  private async startMiniupnpd(): Promise<void> {
    const config = join(this.dir, 'miniupnpd.conf');
    writeFileSync(
      config,
      [
        `ext_ifname=${this.links.gwWan}`,
        `listening_ip=${this.links.gwLan}`,
        `http_port=${MINIUPNPD_HTTP_PORT}`,
        'enable_upnp=yes',
        'enable_natpmp=no',
        'secure_mode=no',
        'ipv6_disable=yes',
        'system_uptime=yes',
        `uuid=3b9a4c4e-0f7e-4b5f-9d7d-${randomBytes(6).toString('hex')}`,
        `lease_file=${join(this.dir, 'miniupnpd.leases')}`,
        `allow 1024-65535 10.99.0.0/24 1024-65535`,
        'deny 0-65535 0.0.0.0/0 0-65535',
        '',
      ].join('\n'),
    );
    // In the foreground (-d), so the spawned PID is miniupnpd's own and the lab stops it by that PID.
    this.miniupnpd = this.spawn(this.ns.gw, [], {}, ['miniupnpd', '-d', '-f', config, '-P', join(this.dir, 'miniupnpd.pid')]);
    await waitFor(
      () => this.miniupnpd?.output().includes('HTTP listening'),
      5000,
      () => `miniupnpd did not start:\n${this.miniupnpd?.output()}`,
    );
  }

  /** Only once both ends have carrier does SSDP get through; before that every search times out. */
  private async carrier(namespace: string, link: string): Promise<void> {
    await waitFor(
      () => sh('ip', '-n', namespace, '-o', 'link', 'show', 'dev', link).includes('LOWER_UP'),
      5000,
      () => `${link} has no carrier`,
    );
  }

  /**
   * A node script (or another command) in a namespace, with a clean environment plus `vars`. Its
   * output goes to a file, not a pipe: miniupnpd logs a lot, and a pipe left undrained while the test
   * waits on `upnpc` would stall the gateway itself.
   */
  private spawn(namespace: string, nodeArgs: string[], vars: Record<string, string>, command?: string[]): LabProcess {
    const argv = command ?? [process.execPath, ...nodeArgs];
    const logFile = join(this.dir, `${namespace}-${this.processes.length}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn('ip', ['netns', 'exec', namespace, ...argv], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...vars },
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const labProcess: LabProcess = {
      child,
      output: () => readFileSync(logFile, 'utf8'),
      exited,
      // `ip netns exec` execs the command, so the PID (and its process group) is the command's own.
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
        process.kill(-child.pid, 'SIGTERM');
        const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(-child.pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
    this.processes.push(labProcess);
    return labProcess;
  }

  private async spawnReady(namespace: string, nodeArgs: string[]): Promise<LabProcess> {
    const started = this.spawn(namespace, nodeArgs, {});
    await waitFor(
      () => started.output().includes('ready'),
      5000,
      () => `${nodeArgs[0]} did not start in ${namespace}:\n${started.output()}`,
    );
    return started;
  }
}

function sh(command: string, ...args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  return result.stdout;
}

/** Like `sh`, without blocking the event loop (upnpc waits ~2 s for SSDP answers). */
function run(command: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${(stderr || error.message).trim()}`));
      else resolve(stdout);
    });
  });
}

async function waitFor(check: () => boolean | undefined, timeoutMs: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function unixJson<T>(
  socketPath: string,
  method: string,
  path: string,
  apiKey: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = request(
      {
        socketPath,
        method,
        path,
        timeout: 15_000,
        headers: {
          'x-api-key': apiKey,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
