import type { CredentialRegistry } from './credential-registry';
import { CredentialWatch } from './credential-watch';
import type { Principal } from './principal';

const viewer = (services?: string[]): Principal => ({
  kind: 'user',
  id: 'user:u1',
  role: 'viewer',
  ...(services ? { scope: { services } } : {}),
});

/** A stand-in for CredentialRegistry.verifyNow: what each credential stands for now, and how often it was asked. */
function fakeAuth(answers: Map<string, Principal | null | Error>): {
  auth: CredentialRegistry;
  calls: string[];
} {
  const calls: string[] = [];
  const verifyNow = async (credential: string): Promise<Principal | null> => {
    calls.push(credential);
    const answer = answers.get(credential) ?? null;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { auth: { verifyNow } as unknown as CredentialRegistry, calls };
}

describe('CredentialWatch', () => {
  it('verifies each credential once per pass, however many streams hold it, and tells nothing when nothing changed', async () => {
    const answers = new Map<string, Principal | null | Error>([['t1', viewer()]]);
    const { auth, calls } = fakeAuth(answers);
    const watch = new CredentialWatch(auth);
    const told: (Principal | null)[] = [];
    watch.watch('t1', viewer(), (next) => told.push(next));
    watch.watch('t1', viewer(), (next) => told.push(next));
    await watch.recheck();
    expect(calls).toEqual(['t1']);
    expect(told).toEqual([]);
  });

  it.each([
    ['revoked', null],
    ['limits changed', viewer(['s1'])],
    ['role changed', { ...viewer(), role: 'operator' } as Principal],
  ])('tells every stream once when the credential is %s', async (_case, now) => {
    const answers = new Map<string, Principal | null | Error>([['t1', now]]);
    const watch = new CredentialWatch(fakeAuth(answers).auth);
    const told: (Principal | null)[] = [];
    watch.watch('t1', viewer(), (next) => told.push(next));
    await watch.recheck();
    await watch.recheck();
    expect(told).toEqual([now]);
  });

  it('keeps streams open while the credential cannot be checked (a database hiccup), and forgets a stream that closed', async () => {
    const answers = new Map<string, Principal | null | Error>([['t1', new Error('database down')]]);
    const watch = new CredentialWatch(fakeAuth(answers).auth);
    const told: (Principal | null)[] = [];
    const stop = watch.watch('t1', viewer(), (next) => told.push(next));
    await watch.recheck();
    expect(told).toEqual([]);
    stop();
    answers.set('t1', null);
    await watch.recheck();
    expect(told).toEqual([]);
    expect(watch.size).toBe(0);
  });

  it('re-checks at once when this instance reports a change, without waiting for the timer', async () => {
    const answers = new Map<string, Principal | null | Error>([['t1', viewer()]]);
    const watch = new CredentialWatch(fakeAuth(answers).auth);
    watch.onModuleInit();
    try {
      const closed = new Promise<Principal | null>((resolve) => watch.watch('t1', viewer(), resolve));
      answers.set('t1', null);
      watch.onCredentialsChanged();
      await expect(closed).resolves.toBeNull();
    } finally {
      watch.onModuleDestroy();
    }
  });
});
