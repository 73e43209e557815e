import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRepositoryFile, RepositoryFileError } from './repository-file';

/** The project a build installed from its own directory: its distribution name and its console scripts. */
export interface InstalledProject {
  name: string;
  scripts: string[];
}

/**
 * Finds, in the build's virtualenv, the distribution pip (or uv) installed from the build directory
 * itself (its `direct_url.json` points there) and reads its `[console_scripts]`: the commands
 * `[project.scripts]` declared, whatever build backend made them. Null when the project itself was not
 * installed (a requirements.txt alone). Every file is read only where it lies inside the build.
 */
export async function installedProject(directory: string, venv = '.venv'): Promise<InstalledProject | null> {
  for (const sitePackages of await sitePackagesOf(directory, venv)) {
    let entries: string[];
    try {
      entries = (await readdir(join(directory, sitePackages))).filter((entry) => entry.endsWith('.dist-info'));
    } catch {
      continue;
    }
    for (const distInfo of entries) {
      const directUrl = await readInside(directory, join(sitePackages, distInfo, 'direct_url.json'));
      if (directUrl === null || !pointsAt(directUrl, directory)) continue;
      const entryPoints = (await readInside(directory, join(sitePackages, distInfo, 'entry_points.txt'))) ?? '';
      return { name: distInfo.replace(/-[^-]+\.dist-info$/, ''), scripts: consoleScripts(entryPoints) };
    }
  }
  return null;
}

/** The names in the `[console_scripts]` section of an entry_points.txt (an INI file). */
export function consoleScripts(entryPoints: string): string[] {
  const scripts: string[] = [];
  let inSection = false;
  for (const raw of entryPoints.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inSection = line === '[console_scripts]';
      continue;
    }
    const name = /^([^=\s]+)\s*=/.exec(line)?.[1];
    if (inSection && name) scripts.push(name);
  }
  return scripts;
}

/** `.venv/lib/python3.X/site-packages`, relative to the build directory. */
async function sitePackagesOf(directory: string, venv: string): Promise<string[]> {
  try {
    const versions = await readdir(join(directory, venv, 'lib'));
    return versions.filter((entry) => entry.startsWith('python')).map((entry) => join(venv, 'lib', entry, 'site-packages'));
  } catch {
    return [];
  }
}

function pointsAt(directUrlJson: string, directory: string): boolean {
  try {
    const { url } = JSON.parse(directUrlJson) as { url?: unknown };
    return typeof url === 'string' && url.startsWith('file:') && fileURLToPath(url).replace(/\/+$/, '') === directory.replace(/\/+$/, '');
  } catch {
    return false;
  }
}

async function readInside(directory: string, file: string): Promise<string | null> {
  try {
    return await readRepositoryFile(directory, file);
  } catch (error) {
    if (error instanceof RepositoryFileError) return null;
    throw error;
  }
}
