/**
 * Whether the registry's version is newer than the installed one. Semantic versions (`1.2.3`, `1.2.3-beta.1`,
 * build metadata ignored) compare by SemVer precedence; a version that is not one (the registry allows them,
 * calendar versions like `2026.8.31` are SemVer-shaped anyway) counts as newer whenever it differs.
 */
export function isNewerVersion(candidate: string, installed: string): boolean {
  const a = parse(candidate);
  const b = parse(installed);
  if (!a || !b) return candidate !== installed;
  return compare(a, b) > 0;
}

interface SemVer {
  core: [number, number, number];
  prerelease: string[];
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(version: string): SemVer | null {
  const match = SEMVER.exec(version.trim());
  if (!match) return null;
  return { core: [Number(match[1]), Number(match[2]), Number(match[3])], prerelease: match[4] ? match[4].split('.') : [] };
}

function compare(a: SemVer, b: SemVer): number {
  for (let index = 0; index < 3; index++) if (a.core[index] !== b.core[index]) return a.core[index] - b.core[index];
  // A release is newer than its pre-releases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let index = 0; index < Math.max(a.prerelease.length, b.prerelease.length); index++) {
    const x = a.prerelease[index];
    const y = b.prerelease[index];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const numeric = /^\d+$/;
    if (numeric.test(x) && numeric.test(y)) return Number(x) - Number(y);
    if (numeric.test(x)) return -1;
    if (numeric.test(y)) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
