import { Injectable } from '@nestjs/common';
import { CommandFailedError, CommandRunner } from '../build/command-runner';

export interface CloneRequest {
  /** Without credentials: the token, when there is one, travels in a header, never in the URL. */
  url: string;
  /** Null: the remote's default branch. */
  branch: string | null;
  /** Created by the clone; must not exist. */
  directory: string;
  /** Sent as HTTP Basic auth to the URL's origin only. */
  token: string | null;
  /** The base environment of git (PATH, HOME, the deployment marker). */
  env: Record<string, string>;
  timeoutMs: number;
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

/** A clone that failed; `retryable` when the cause may pass (network, a server error), not for a wrong URL, branch or token. */
export class GitCloneError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GitCloneError';
  }
}

const TRANSIENT =
  /could not resolve host|connection refused|connection timed out|failed to connect|timed out|returned error: 5\d\d|rpc failed|early eof|unexpected disconnect|connection reset/i;

/** The git command line: shallow clones of one branch, and what was cloned. */
@Injectable()
export class GitClient {
  constructor(private readonly runner: CommandRunner) {}

  async clone(request: CloneRequest): Promise<void> {
    const args = ['clone', '--depth', '1', '--single-branch', '--no-tags'];
    if (request.branch) args.push('--branch', request.branch);
    args.push('--', request.url, request.directory);
    try {
      await this.runner.run({
        command: 'git',
        args,
        cwd: parentOf(request.directory),
        env: gitEnvironment(request.env, request.url, request.token),
        timeoutMs: request.timeoutMs,
        onLine: request.onLine,
        signal: request.signal,
      });
    } catch (error) {
      if (!(error instanceof CommandFailedError)) throw error;
      throw explainCloneFailure(error, request);
    }
  }

  async headCommit(directory: string, env: Record<string, string>): Promise<string> {
    const [sha] = await this.quiet(directory, env, ['rev-parse', 'HEAD']);
    if (!/^[0-9a-f]{40,64}$/.test(sha ?? '')) throw new Error(`git rev-parse HEAD gave no commit in ${directory}`);
    return sha;
  }

  /** The branch a clone without `--branch` checked out: the remote's default. */
  async currentBranch(directory: string, env: Record<string, string>): Promise<string> {
    const [branch] = await this.quiet(directory, env, ['symbolic-ref', '--short', 'HEAD']);
    return branch ?? 'HEAD';
  }

  private quiet(directory: string, env: Record<string, string>, args: string[]): Promise<string[]> {
    return this.runner.run({
      command: 'git',
      args,
      cwd: directory,
      env: gitEnvironment(env, null, null),
      timeoutMs: 30_000,
      onLine: () => undefined,
    });
  }
}

/**
 * Git reads no system or user configuration (no credential helper of the host's user can answer for
 * us) and never prompts. The token goes in through the environment, not the command line (which
 * other local users can read), and only to the repository's origin.
 */
export function gitEnvironment(base: Record<string, string>, url: string | null, token: string | null): Record<string, string> {
  const env: Record<string, string> = {
    ...base,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ASKPASS: 'true',
  };
  if (url && token) {
    const origin = new URL(url).origin;
    env['GIT_CONFIG_COUNT'] = '1';
    env['GIT_CONFIG_KEY_0'] = `http.${origin}/.extraHeader`;
    env['GIT_CONFIG_VALUE_0'] = `Authorization: ${basicAuthorization(token)}`;
  }
  return env;
}

/** The header value GitHub accepts for a token over HTTPS; also what the log masks. */
export function basicAuthorization(token: string): string {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

function explainCloneFailure(error: CommandFailedError, request: CloneRequest): GitCloneError {
  const output = error.output.join('\n');
  const where = request.url;
  if (/remote branch .* not found/i.test(output)) {
    return new GitCloneError(`branch "${request.branch}" does not exist in ${where}`, false);
  }
  if (/could not read username|authentication failed|returned error: 40[13]|terminal prompts disabled/i.test(output)) {
    return new GitCloneError(
      request.token
        ? `${where} refused the token in GITHUB_TOKEN (authentication failed)`
        : `${where} needs credentials: set GITHUB_TOKEN (and GITHUB_HOST, for a host other than github.com)`,
      false,
    );
  }
  if (/not found|returned error: 404|does not appear to be a git repository/i.test(output)) {
    return new GitCloneError(`repository ${where} not found`, false);
  }
  if (error.kind === 'timed-out') return new GitCloneError(`git clone of ${where} took too long (DEPLOY_STEP_TIMEOUT_SEC)`, true);
  if (error.kind === 'stopped' || error.kind === 'not-started') return new GitCloneError(error.message, false);
  return new GitCloneError(`git clone of ${where} failed: ${lastLine(output) ?? error.message}`, TRANSIENT.test(output));
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .pop();
}

function parentOf(path: string): string {
  return path.replace(/\/[^/]+\/?$/, '') || '/';
}
