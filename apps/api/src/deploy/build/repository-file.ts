import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';

/** A file of a checked-out repository that may not be read: it leads outside the repository. */
export class RepositoryFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RepositoryFileError';
  }
}

/**
 * Reads a file of a checked-out repository as the proxy does (its own user, outside any sandbox),
 * so only when it really lies inside the repository: a repository may hold a symbolic link named
 * `mcp.json` pointing at `/proc/self/environ` or the data dir, whose text would then reach the deploy
 * log through a parse error. Null when the file does not exist.
 */
export async function readRepositoryFile(directory: string, file: string): Promise<string | null> {
  let real: string;
  try {
    real = await realpath(join(directory, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const rel = relative(await realpath(directory), real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new RepositoryFileError(`${file} is a link to outside the repository: not read`);
  return readFile(real, 'utf8');
}
