import { Injectable } from '@nestjs/common';
import { Octokit } from '@octokit/rest';
import { AppConfig } from '../../core/config/app-config';
import { APP_VERSION } from '../../version';

export interface GithubRepositoryInfo {
  fullName: string;
  defaultBranch: string;
  private: boolean;
}

/**
 * What GitHub's API said no to. `fatal` for answers that will not change by trying again (no such
 * repository or branch, a token GitHub refuses); other failures (network, rate limit) are not.
 */
export class GithubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = 'GithubApiError';
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

/** GitHub's REST API (through Octokit) at GITHUB_API_URL, with GITHUB_TOKEN when set. */
@Injectable()
export class GithubApi {
  private readonly octokit: Octokit;
  private readonly hasToken: boolean;

  constructor(config: AppConfig) {
    const token = config.get('GITHUB_TOKEN');
    this.hasToken = Boolean(token);
    this.octokit = new Octokit({
      baseUrl: config.get('GITHUB_API_URL').replace(/\/+$/, ''),
      auth: token,
      userAgent: `mcp-reverse-proxy/${APP_VERSION}`,
      // Octokit's own console logging would print every 404 we handle ourselves.
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  async repository(owner: string, repo: string): Promise<GithubRepositoryInfo> {
    try {
      const { data } = await this.octokit.repos.get({ owner, repo, request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) } });
      return { fullName: data.full_name, defaultBranch: data.default_branch, private: data.private };
    } catch (error) {
      throw this.explain(
        error,
        `repository ${owner}/${repo} not found on GitHub${this.hasToken ? ' (or GITHUB_TOKEN cannot see it)' : ' (a private repository needs GITHUB_TOKEN)'}`,
      );
    }
  }

  /** The newest commit of a branch. */
  async branchHead(owner: string, repo: string, branch: string): Promise<string> {
    try {
      const { data } = await this.octokit.repos.getBranch({
        owner,
        repo,
        branch,
        request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
      });
      return data.commit.sha;
    } catch (error) {
      throw this.explain(error, `branch "${branch}" does not exist in ${owner}/${repo}`);
    }
  }

  private explain(error: unknown, notFound: string): GithubApiError {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : null;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 404) return new GithubApiError(notFound, status, true);
    if (status === 401)
      return new GithubApiError(`GitHub refused GITHUB_TOKEN (401 ${message}): the token is wrong, expired or revoked`, status, true);
    if (status === 403 && /rate limit/i.test(message))
      return new GithubApiError(`GitHub API rate limit reached: ${message}`, status, false);
    if (status === 403) return new GithubApiError(`GITHUB_TOKEN may not read this repository (403 ${message})`, status, true);
    return new GithubApiError(`GitHub API unavailable: ${message}`, status, false);
  }
}
