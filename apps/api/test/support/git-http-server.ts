import { spawn } from 'node:child_process';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Repositories that need HTTP Basic auth, by path (`owner/name.git`), with the password they accept. */
export type PrivateRepositories = Map<string, string>;

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Requests served, by path and method, for checks like "the token was sent". */
  requests: { path: string; authorized: boolean }[];
  close(): Promise<void>;
}

/**
 * Real git over HTTP on 127.0.0.1: Node runs `git http-backend` as a CGI program for every request
 * (smart protocol, shallow clones included), with Basic auth in front of the private repositories.
 */
export async function startGitHttpServer(projectRoot: string, privateRepositories: PrivateRepositories): Promise<GitHttpServer> {
  const requests: GitHttpServer['requests'] = [];
  const server: Server = createServer((request, response) => serve(request, response));

  function serve(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://git.local');
    const repository = /^\/([^/]+\/[^/]+\.git)\//.exec(url.pathname)?.[1];
    const password = privateRepositories.get(repository ?? '');
    const authorized = password === undefined || basicPassword(request.headers.authorization) === password;
    requests.push({ path: url.pathname, authorized: password !== undefined && authorized });
    if (!authorized) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fixture git"', 'Content-Type': 'text/plain' });
      response.end('Authentication required\n');
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        GATEWAY_INTERFACE: 'CGI/1.1',
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        ...(request.headers['content-length'] ? { CONTENT_LENGTH: request.headers['content-length'] } : {}),
        REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
        REMOTE_USER: password === undefined ? '' : 'token',
        HTTP_GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(request.headers['content-encoding'] ?? ''),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    request.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    relayCgiOutput(cgi.stdout, response);
    cgi.on('error', () => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** CGI output: header lines, a blank line, then the body; `Status:` becomes the HTTP status. */
function relayCgiOutput(stdout: NodeJS.ReadableStream, response: ServerResponse): void {
  let head = Buffer.alloc(0);
  let bodyStarted = false;
  stdout.on('data', (chunk: Buffer) => {
    if (bodyStarted) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
    if (end < 0) return;
    const separator = head.indexOf('\r\n\r\n') >= 0 ? 4 : 2;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    response.writeHead(status, headers);
    bodyStarted = true;
    const rest = head.subarray(end + separator);
    if (rest.length > 0) response.write(rest);
  });
  stdout.on('end', () => response.end());
}

function basicPassword(header: string | undefined): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}
