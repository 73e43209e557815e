/**
 * Only an in-app path is accepted as a post-login destination, never another origin
 * (`//evil.example`, `https://...`) and never the login page itself.
 */
export function safeReturnUrl(candidate: string | null | undefined): string | null {
  if (!candidate || !candidate.startsWith('/') || candidate.startsWith('//')) return null;
  if (candidate.includes('\\')) return null;
  if (candidate === '/' || candidate.startsWith('/login')) return null;
  return candidate;
}
