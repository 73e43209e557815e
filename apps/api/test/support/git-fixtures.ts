import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GithubApiStub, startGithubApiStub } from './github-api-stub';
import { GitHttpServer, PrivateRepositories, startGitHttpServer } from './git-http-server';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'git');

/**
 * The templates in fixtures/git/repos; each gets the shared server.mjs as src/server.mjs. `python-project`
 * is the Python fixture server's project (fixtures/python/mcp-fixture: pyproject.toml, a console script).
 */
export type Template = 'mcp-json' | 'package-mcp' | 'missing-env' | 'build-fails' | 'python-project';

const PYTHON_PROJECT = join(__dirname, '..', 'fixtures', 'python', 'mcp-fixture');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** A repository on the fixture server, with a working copy to commit to. */
export class FixtureRepo {
  constructor(
    readonly path: string,
    readonly url: string,
    readonly gitDir: string,
    private readonly work: string,
  ) {}

  /** Commits the files (null deletes one, `{ linkTo }` makes a symbolic link) on the branch (created from the current one if new) and pushes; returns the commit. */
  commit(
    files: Record<string, string | null | { linkTo: string }>,
    { branch = 'main', message = 'change' }: { branch?: string; message?: string } = {},
  ): string {
    git(this.work, ['checkout', '-q', '-B', branch]);
    for (const [file, content] of Object.entries(files)) {
      const target = join(this.work, file);
      if (content === null) rmSync(target, { force: true });
      else if (typeof content === 'object') {
        rmSync(target, { force: true });
        symlinkSync(content.linkTo, target);
      } else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
    git(this.work, ['add', '-A']);
    git(this.work, ['commit', '-q', '-m', message]);
    git(this.work, ['push', '-q', 'origin', `${branch}:refs/heads/${branch}`]);
    git(this.work, ['checkout', '-q', 'main']);
    return this.head(branch);
  }

  head(branch = 'main'): string {
    return git(this.work, ['rev-parse', `refs/heads/${branch}`]).trim();
  }
}

/**
 * Real git repositories, made from the templates in a temp dir and served over HTTP by
 * `git http-backend` on 127.0.0.1 (private ones behind Basic auth), with a GitHub API stub that
 * knows them.
 */
export class GitFixtures {
  private constructor(
    readonly dir: string,
    readonly server: GitHttpServer,
    readonly api: GithubApiStub,
    private readonly privateRepos: PrivateRepositories,
    readonly token: string,
  ) {}

  static async start(token: string): Promise<GitFixtures> {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-proxy-git-'));
    mkdirSync(join(dir, 'served'));
    const privateRepos: PrivateRepositories = new Map();
    const server = await startGitHttpServer(join(dir, 'served'), privateRepos);
    const api = await startGithubApiStub(token);
    return new GitFixtures(dir, server, api, privateRepos, token);
  }

  /** `host:port` of the git server: what GITHUB_HOST must be for its repositories to count as GitHub's. */
  get host(): string {
    return new URL(this.server.origin).host;
  }

  /** What a proxy's environment needs to deploy from these repositories (GitHub host, API and token). */
  get appEnv(): Record<string, string> {
    return { GITHUB_HOST: this.host, GITHUB_API_URL: this.api.url, GITHUB_TOKEN: this.token };
  }

  repo(path: string, template: Template, { private: isPrivate = false, knownToApi = true } = {}): FixtureRepo {
    const [owner, name] = path.split('/');
    const gitDir = join(this.dir, 'served', owner, `${name}.git`);
    mkdirSync(dirname(gitDir), { recursive: true });
    git(this.dir, ['init', '-q', '--bare', '-b', 'main', gitDir]);
    const work = join(this.dir, 'work', owner, name);
    if (template === 'python-project') cpSync(PYTHON_PROJECT, work, { recursive: true });
    else {
      cpSync(join(FIXTURES, 'repos', template), work, { recursive: true });
      cpSync(join(FIXTURES, 'server.mjs'), join(work, 'src', 'server.mjs'));
    }
    git(work, ['init', '-q', '-b', 'main']);
    git(work, ['remote', 'add', 'origin', gitDir]);
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '-m', `${template} fixture`]);
    git(work, ['push', '-q', 'origin', 'main']);
    if (isPrivate) this.privateRepos.set(`${owner}/${name}.git`, this.token);
    if (knownToApi) this.api.repositories.set(path, { owner, name, private: isPrivate, defaultBranch: 'main', gitDir });
    return new FixtureRepo(path, `${this.server.origin}/${owner}/${name}.git`, gitDir, work);
  }

  async close(): Promise<void> {
    await Promise.all([this.server.close(), this.api.close()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...GIT_ENV }, encoding: 'utf8' });
}
