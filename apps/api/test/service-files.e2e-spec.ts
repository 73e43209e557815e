import type { ServiceView } from '@mcp-proxy/shared/dto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminGet, registerService, RunningApp, startApp } from './support/running-app';

const isRoot = process.getuid?.() === 0;
const SERVER = ['-e', 'setInterval(() => {}, 1000)'];

/**
 * A deleted service takes its files with it: its home (HOME, caches, whatever the server wrote) and
 * its clone with every build. A new service of the same name starts from nothing, never with the
 * old one's files handed over to its user.
 */
jest.setTimeout(60_000);

describe('deleting a service removes its files; a new one of the same name inherits nothing', () => {
  let running: RunningApp;
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const clones = (): string => running.env.vars['CLONE_DIRECTORY'];
  const homeOf = (name: string): string => join(clones(), '.homes', name);

  beforeAll(async () => {
    running = await startApp({
      SANDBOX_UID_BASE: String(500_000 + (process.pid % 1000) * 100),
    });
  });

  afterAll(async () => {
    await running?.close();
  });

  it('removes the home, the clone and the builds on delete; the same name comes back empty', async () => {
    await registerService(running, {
      name: 'keeper',
      process: { command: process.execPath, args: SERVER },
    });
    const old = await adminGet<ServiceView>(running, '/api/services/keeper');
    // What the old service left: files in its home and a build of its clone.
    mkdirSync(homeOf('keeper'), { recursive: true });
    writeFileSync(join(homeOf('keeper'), 'private-notes.txt'), 'the old service kept this');
    mkdirSync(join(clones(), 'keeper', '0123abcd'), { recursive: true });
    writeFileSync(join(clones(), 'keeper', '0123abcd', 'server.js'), '// an old build');

    await running
      .api()
      .delete('/api/services/keeper')
      .set(...asAdmin())
      .expect(204);
    expect(existsSync(homeOf('keeper'))).toBe(false);
    expect(existsSync(join(clones(), 'keeper'))).toBe(false);

    await registerService(running, {
      name: 'keeper',
      process: { command: process.execPath, args: SERVER },
    });
    const fresh = await adminGet<ServiceView>(running, '/api/services/keeper');
    expect(fresh.id).not.toBe(old.id);
    expect(existsSync(join(clones(), 'keeper'))).toBe(false);
    if (isRoot) {
      // Running as a user of its own: a home of its own, new and empty.
      expect(readdirSync(homeOf('keeper'))).not.toContain('private-notes.txt');
      expect(statSync(homeOf('keeper')).uid).toBe(fresh.sandbox?.uid);
      expect(fresh.sandbox?.uid).not.toBe(old.sandbox?.uid);
    } else {
      expect(existsSync(join(homeOf('keeper'), 'private-notes.txt'))).toBe(false);
    }
  });

  (isRoot ? it : it.skip)(
    "a home left by an earlier service of the same name (before this fix, or a crash mid-delete) is not handed to a new one's user",
    async () => {
      const leftover = homeOf('orphan');
      mkdirSync(leftover, { recursive: true });
      writeFileSync(join(leftover, 'credentials.json'), '{"token":"of a deleted service"}');
      // Owned by some earlier service's uid, as a real leftover would be.
      const { chownSync } = await import('node:fs');
      chownSync(leftover, 123_456, 123_456);

      await registerService(running, {
        name: 'orphan',
        process: { command: process.execPath, args: SERVER },
      });
      const view = (
        await running
          .api()
          .get('/api/services/orphan')
          .set(...asAdmin())
          .expect(200)
      ).body as ServiceView;
      expect(statSync(leftover).uid).toBe(view.sandbox?.uid);
      expect(readdirSync(leftover)).not.toContain('credentials.json');
    },
  );
});
