import type { AppConfig } from '../src/core/config/app-config';
import { GithubApi, GithubApiError } from '../src/deploy/api/github-api';
import { GitFixtures } from './support/git-fixtures';

const TOKEN = 'ghp_validFixtureToken000000000000000';

/** The GitHub seam (Octokit) against a local server that answers like api.github.com, for real repositories on disk. */
describe('GithubApi (Octokit at GITHUB_API_URL)', () => {
  let git: GitFixtures;

  const apiWith = (token: string | undefined): GithubApi =>
    new GithubApi({ get: (key: string) => ({ GITHUB_API_URL: git.api.url, GITHUB_TOKEN: token })[key] } as unknown as AppConfig);

  async function failure(work: Promise<unknown>): Promise<GithubApiError> {
    const error = await work.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GithubApiError);
    return error as GithubApiError;
  }

  beforeAll(async () => {
    git = await GitFixtures.start(TOKEN);
    git.repo('acme/public-tools', 'mcp-json');
    git.repo('acme/private-tools', 'mcp-json', { private: true }).commit({ VERSION: '2\n' }, { branch: 'next' });
  });

  afterAll(async () => {
    await git?.close();
  });

  it('reads a repository (default branch, visibility) and the newest commit of a branch, sending the token', async () => {
    const api = apiWith(TOKEN);
    expect(await api.repository('acme', 'private-tools')).toEqual({ fullName: 'acme/private-tools', defaultBranch: 'main', private: true });
    const head = await api.branchHead('acme', 'private-tools', 'next');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(git.api.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/repos/acme/private-tools/branches/next',
      authorization: `token ${TOKEN}`,
    });
  });

  it('reads a public repository without a token', async () => {
    expect(await apiWith(undefined).repository('acme', 'public-tools')).toMatchObject({ private: false, defaultBranch: 'main' });
    expect(git.api.requests.at(-1)?.authorization).toBeUndefined();
  });

  it.each([
    [
      'an unknown repository, with a token',
      TOKEN,
      'acme',
      'nope',
      'repository acme/nope not found on GitHub (or GITHUB_TOKEN cannot see it)',
    ],
    [
      'a private repository, without a token',
      undefined,
      'acme',
      'private-tools',
      'repository acme/private-tools not found on GitHub (a private repository needs GITHUB_TOKEN)',
    ],
  ])('says so for %s (404)', async (_case, token, owner, repo, message) => {
    const error = await failure(apiWith(token).repository(owner, repo));
    expect(error).toMatchObject({ status: 404, fatal: true, message });
  });

  it('names a missing branch (404)', async () => {
    const error = await failure(apiWith(TOKEN).branchHead('acme', 'public-tools', 'gone'));
    expect(error).toMatchObject({ status: 404, fatal: true, message: 'branch "gone" does not exist in acme/public-tools' });
  });

  it('says the token was refused (401 Bad credentials)', async () => {
    const error = await failure(apiWith('ghp_revoked').repository('acme', 'public-tools'));
    expect(error.status).toBe(401);
    expect(error.fatal).toBe(true);
    expect(error.message).toMatch(/^GitHub refused GITHUB_TOKEN \(401 Bad credentials.*\): the token is wrong, expired or revoked$/);
  });

  it('treats an unreachable API as passing trouble, not as a verdict', async () => {
    const unreachable = new GithubApi({
      get: (key: string) => ({ GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_TOKEN: TOKEN })[key],
    } as unknown as AppConfig);
    const error = await failure(unreachable.repository('acme', 'public-tools'));
    expect(error).toMatchObject({ fatal: false });
    expect(error.message).toMatch(/^GitHub API unavailable: /);
  });
});
