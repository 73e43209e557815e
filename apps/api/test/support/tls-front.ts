import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** HTTPS on loopback in front of an app's plain port, as a TLS-terminating reverse proxy does in an install. */
export interface TlsFront {
  /** `https://127.0.0.1:<port>`: the app's PUBLIC_URL. */
  origin: string;
  /** A file holding the self-signed certificate: NODE_EXTRA_CA_CERTS for a child that must trust it. */
  caFile: string;
  /** Paths requested through the front, in order. */
  paths: string[];
  /** Where requests go on (the app starts after its PUBLIC_URL, this origin, is known). */
  forwardTo(appPort: number): void;
  stop(): Promise<void>;
}

/** A throwaway self-signed certificate for 127.0.0.1, and a server passing every request on to the app's port. */
export async function startTlsFront(): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-tls-front-'));
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
    ].concat(['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']),
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  const paths: string[] = [];
  let appPort = 0;
  const server: Server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (incoming, outgoing) => {
    paths.push(incoming.url ?? '/');
    const forwarded = httpRequest(
      { host: '127.0.0.1', port: appPort, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile: certFile,
    paths,
    forwardTo: (port) => (appPort = port),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
