/**
 * Keeps docs/ARCHITECTURE.md from rotting: every file or folder it names in backticks must exist, so a move
 * or rename that forgets the map fails here instead of misleading the next reader. The doc writes API paths
 * relative to apps/api/src and everything else from the repository root; both are tried.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');
const API_SRC = __dirname;
const CHECKED_DOCS = ['docs/ARCHITECTURE.md'];

/** What a named file ends with; a folder is written with a trailing `/`. Anything else in backticks is code, not a path. */
const FILE_SUFFIX = /\.(ts|cts|mts|js|cjs|mjs|json|md|html|scss|ya?ml)$/;
const PATH_CHARACTERS = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/?$/;

/**
 * The repository paths named in inline code spans. A placeholder segment (`features/<feature>/`) is checked up
 * to the folder before it; URLs (`/mcp`), package names (`@mcp-proxy/…`) and method names (`tools/call`) are not paths.
 */
export function repoPathsIn(markdown: string): string[] {
  const withoutFences = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const paths = new Set<string>();
  for (const [, span] of withoutFences.matchAll(/`([^`\n]+)`/g)) {
    const placeholder = span.indexOf('<');
    const candidate = placeholder >= 0 ? span.slice(0, span.lastIndexOf('/', placeholder) + 1) : span;
    if (!PATH_CHARACTERS.test(candidate)) continue;
    if (FILE_SUFFIX.test(candidate) || candidate.endsWith('/')) paths.add(candidate);
  }
  return [...paths];
}

function exists(path: string): boolean {
  return existsSync(resolve(API_SRC, path)) || existsSync(resolve(REPO_ROOT, path));
}

describe('repoPathsIn', () => {
  it.each([
    ['`proxy/mcp-http.handler.ts`', ['proxy/mcp-http.handler.ts']],
    ['`supervisor/sandbox/` and `apps/api/test/`', ['supervisor/sandbox/', 'apps/api/test/']],
    ['`apps/admin/src/app/features/<feature>/`', ['apps/admin/src/app/features/']],
    ['`<feature>-api.service.ts`', []],
    ['`tools/call`, `/mcp/g/<group>`, `@mcp-proxy/shared/dto`, `service.started`', []],
    ['`{"method":"tools/call"}` and `npm run db:generate -- AddThing`', []],
    ['```\n`inside/a/fence.ts`\n```\n', []],
  ])('%s', (markdown, expected) => {
    expect(repoPathsIn(markdown)).toEqual(expected);
  });
});

describe.each(CHECKED_DOCS)('%s', (doc) => {
  const paths = repoPathsIn(readFileSync(resolve(REPO_ROOT, doc), 'utf8'));

  it('names paths (the extraction still finds them)', () => {
    expect(paths.length).toBeGreaterThan(30);
  });

  it('names only paths that exist', () => {
    expect(paths.filter((path) => !exists(path))).toEqual([]);
  });
});
