/** Owner and name of a repository on the GitHub host. */
export interface GithubCoordinates {
  owner: string;
  repo: string;
}

/** `https://github.com/owner/repo(.git)` on the configured GitHub host, else null (another git server). */
export function githubCoordinates(url: string, githubHost: string): GithubCoordinates | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.host.toLowerCase() !== githubHost.toLowerCase()) return null;
  const match = /^\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(parsed.pathname);
  return match ? { owner: match[1], repo: match[2] } : null;
}

/** One form for comparing repository URLs: host and path, lowercase, without `.git` or a trailing slash. */
export function sameRepositoryKey(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  return `${parsed.host}${path}`.toLowerCase();
}

/** A service name from the repository's name: `My_Server.git` → `my-server`; null when nothing usable is left. */
export function serviceNameFrom(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const last =
    parsed.pathname
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .split('/')
      .pop() ?? '';
  const name = last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return name === '' ? null : name;
}

/** The token may go over HTTPS, or plain HTTP to this machine (a local mirror); never in clear over a network. */
export function mayCarryToken(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
}
