import { randomUUID } from 'node:crypto';
import { WebhookDeliveries } from '../src/deploy/webhook/webhook-deliveries';
import { createTemporaryDatabase } from './support/postgres';
import { RunningApp, startApp } from './support/running-app';

jest.setTimeout(60_000);

/**
 * Two instances on one PostgreSQL: a delivery id is claimed by exactly one request, whichever
 * instance and however many at once; every other claim of it, on either instance, is refused.
 */
describe('webhook deliveries across instances (PostgreSQL)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let first: RunningApp;
  let second: RunningApp;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    first = await startApp({ DATABASE_URL: database.url });
    second = await startApp({ DATABASE_URL: database.url });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await database?.drop();
  });

  it('accepts each delivery id once among concurrent claims on both instances', async () => {
    const instances = [first, second].map((running) => running.app.get(WebhookDeliveries));
    const id = randomUUID();
    const claims = await Promise.all(Array.from({ length: 10 }, (_, index) => instances[index % 2].claim(id, 'push')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await instances[1].claim(id, 'push')).toBe(false);
    // Released after a failed handling: GitHub's redelivery is accepted again, once.
    await instances[0].release(id);
    expect(await Promise.all([instances[1].claim(id, 'push'), instances[0].claim(id, 'push')])).toEqual(
      expect.arrayContaining([true, false]),
    );
  });
});
