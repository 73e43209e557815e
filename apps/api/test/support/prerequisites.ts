/**
 * Tests that need a host program (docker-compose, bwrap, nginx…) skip, with the reason printed once, when it is
 * missing, so a machine without it reports what did not run instead of failing for the wrong reason.
 */
import { spawnSync } from 'node:child_process';

/** Whether `command` is on PATH. */
export function hasCommand(command: string): boolean {
  return (
    spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], {
      stdio: 'ignore',
    }).status === 0
  );
}

/** `it` when every command is present; otherwise `it.skip`, after saying which one is missing and why it matters. */
export function itWithCommands(commands: string[], purpose: string): jest.It {
  const missing = commands.filter((command) => !hasCommand(command));
  if (missing.length === 0) return it;
  console.warn(`skipped (${missing.join(', ')} not installed): ${purpose}`);
  return it.skip;
}
