import { Injectable } from '@nestjs/common';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { Manifest, ManifestError, manifestFrom } from './manifest';
import { readRepositoryFile, RepositoryFileError } from './repository-file';

/** Reads a checked-out repository's manifest files from disk. */
@Injectable()
export class ManifestReader {
  async read(directory: string): Promise<Manifest> {
    const [mcp, mcpManifest, pkg] = await Promise.all(
      ['mcp.json', 'mcp-manifest.json', 'package.json'].map((file) => readJson(directory, file)),
    );
    const [pyproject, requirements] = await Promise.all(['pyproject.toml', 'requirements.txt'].map((file) => present(directory, file)));
    return manifestFrom({ 'mcp.json': mcp, 'mcp-manifest.json': mcpManifest, 'package.json': pkg }, { pyproject, requirements });
  }
}

/** Whether the checkout has the file (only its presence: pip reads it, in the build's sandbox). */
async function present(directory: string, file: string): Promise<boolean> {
  try {
    const stat = await lstat(join(directory, file));
    return stat.isFile() || stat.isSymbolicLink();
  } catch {
    return false;
  }
}

/** Parsed JSON, or null when the file does not exist. */
async function readJson(directory: string, file: string): Promise<unknown> {
  let text: string | null;
  try {
    text = await readRepositoryFile(directory, file);
  } catch (error) {
    if (error instanceof RepositoryFileError) throw new ManifestError(error.message);
    throw error;
  }
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ManifestError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
