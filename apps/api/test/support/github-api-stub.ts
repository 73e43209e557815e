import { execFileSync } from 'node:child_process';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRepository {
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  /** The bare repository the answers are read from (branches and their commits). */
  gitDir: string;
}

export interface GithubApiStub {
  url: string;
  /** `owner/name` → repository; add to it at any time. */
  repositories: Map<string, StubRepository>;
  /** Every request's method, path and Authorization header. */
  requests: { method: string; path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

/**
 * Answers the two REST calls the deploy pipeline makes (GET /repos/{owner}/{repo} and
 * GET /repos/{owner}/{repo}/branches/{branch}) the way api.github.com does: the same JSON shapes,
 * status codes and error bodies, from real bare repositories on disk. Only because github.com
 * cannot be reached from the tests.
 */
export async function startGithubApiStub(validToken: string): Promise<GithubApiStub> {
  const repositories = new Map<string, StubRepository>();
  const requests: GithubApiStub['requests'] = [];
  let origin = '';

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://api.local').pathname;
    const authorization = request.headers.authorization;
    requests.push({ method: request.method ?? 'GET', path, authorization });
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-GitHub-Media-Type': 'github.v3; format=json' });
      response.end(JSON.stringify(body));
    };
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (token !== undefined && token !== validToken)
      return send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });

    const match = /^\/repos\/([^/]+)\/([^/]+)(?:\/branches\/(.+))?$/.exec(path);
    const repository = match ? repositories.get(`${match[1]}/${match[2]}`) : undefined;
    // GitHub hides a private repository from whoever may not see it: 404, not 403.
    if (!match || request.method !== 'GET' || !repository || (repository.private && token !== validToken)) {
      return send(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    }
    const fullName = `${repository.owner}/${repository.name}`;
    if (match[3] === undefined) return send(200, repositoryJson(repository, fullName, origin));
    const branch = decodeURIComponent(match[3]);
    const sha = headOf(repository.gitDir, branch);
    if (!sha) return send(404, { message: 'Branch not found', documentation_url: `${DOCS}/branches/branches#get-a-branch`, status: '404' });
    return send(200, {
      name: branch,
      commit: {
        sha,
        node_id: `C_${sha.slice(0, 10)}`,
        url: `${origin}/repos/${fullName}/commits/${sha}`,
        commit: { message: 'commit', tree: { sha } },
      },
      _links: { self: `${origin}/repos/${fullName}/branches/${branch}`, html: `https://github.com/${fullName}/tree/${branch}` },
      protected: false,
      protection_url: `${origin}/repos/${fullName}/branches/${branch}/protection`,
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    repositories,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function repositoryJson(repository: StubRepository, fullName: string, origin: string): Record<string, unknown> {
  return {
    id: Math.abs(hash(fullName)),
    node_id: `R_${fullName}`,
    name: repository.name,
    full_name: fullName,
    private: repository.private,
    visibility: repository.private ? 'private' : 'public',
    owner: { login: repository.owner, id: Math.abs(hash(repository.owner)), type: 'User' },
    html_url: `https://github.com/${fullName}`,
    url: `${origin}/repos/${fullName}`,
    clone_url: `https://github.com/${fullName}.git`,
    default_branch: repository.defaultBranch,
    archived: false,
    disabled: false,
  };
}

function headOf(gitDir: string, branch: string): string | null {
  try {
    return (
      execFileSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { encoding: 'utf8' }).trim() ||
      null
    );
  } catch {
    return null;
  }
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) | 0;
  return value;
}
