import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A repository served over HTTP, with a working copy to commit to. */
export interface LocalRepository {
  /** What a deploy clones: `http://127.0.0.1:PORT/<owner>/<name>.git`. */
  readonly url: string;
  /** The newest commit of `main`. */
  head(): string;
  /** Writes the files, commits them on `main` and pushes; returns the new commit. */
  commit(files: Record<string, string>, message: string): string;
}

export interface LocalGitServer {
  /** A new repository whose first commit holds `files`. */
  repository(path: `${string}/${string}`, files: Record<string, string>): LocalRepository;
  close(): Promise<void>;
}

/** Git that reads no host or user configuration and commits as a fixed author. */
function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Admin e2e',
      GIT_AUTHOR_EMAIL: 'admin-e2e@example.com',
      GIT_COMMITTER_NAME: 'Admin e2e',
      GIT_COMMITTER_EMAIL: 'admin-e2e@example.com',
    },
  });
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    const target = join(root, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/**
 * Real git over HTTP on 127.0.0.1 (smart protocol, so shallow clones work): each request runs
 * `git http-backend` as a CGI program over bare repositories in a temp directory.
 */
export async function startGitServer(): Promise<LocalGitServer> {
  const root = mkdtempSync(join(tmpdir(), 'mcp-proxy-admin-e2e-git-'));
  const served = join(root, 'served');
  mkdirSync(served);

  const server: Server = createServer((request, response) => serveGit(served, request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    repository(path, files) {
      const bare = join(served, `${path}.git`);
      mkdirSync(dirname(bare), { recursive: true });
      git(root, ['init', '-q', '--bare', '-b', 'main', bare]);
      const work = join(root, 'work', path);
      mkdirSync(work, { recursive: true });
      git(work, ['init', '-q', '-b', 'main']);
      git(work, ['remote', 'add', 'origin', bare]);
      const commit = (changes: Record<string, string>, message: string): string => {
        writeFiles(work, changes);
        git(work, ['add', '-A']);
        git(work, ['commit', '-q', '-m', message]);
        git(work, ['push', '-q', 'origin', 'main']);
        return git(work, ['rev-parse', 'HEAD']).trim();
      };
      commit(files, 'first version');
      return { url: `${origin}/${path}.git`, head: () => git(work, ['rev-parse', 'HEAD']).trim(), commit };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

function serveGit(projectRoot: string, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://git.local');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      ...(request.headers['content-length'] ? { CONTENT_LENGTH: request.headers['content-length'] } : {}),
      REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
      HTTP_GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  request.pipe(cgi.stdin);
  cgi.stdin.on('error', () => undefined);
  cgi.on('error', () => {
    if (!response.headersSent) response.writeHead(500);
    response.end();
  });

  // CGI output: header lines, a blank line, then the body; a `Status:` header sets the HTTP status.
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    started = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else headers[name] = value;
    }
    response.writeHead(status, headers);
    response.write(head.subarray(end + 4));
  });
  cgi.stdout.on('end', () => response.end());
}
