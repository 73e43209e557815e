import { childIsolation, IsolationFacts } from './child-isolation';

const base: IsolationFacts = {
  ownUsers: false,
  ownUsersMissing: 'the proxy is not root',
  bubblewrap: false,
  bubblewrapMissing: 'bwrap not found',
  filesystemSetting: 'auto',
  root: false,
  exposedFiles: [],
};

describe('childIsolation', () => {
  it.each<[string, Partial<IsolationFacts>, string, boolean, RegExp]>([
    ['root with own users', { ownUsers: true, root: true }, 'own-users', true, /users of their own/],
    [
      'own users, but a secret file every user may read',
      { ownUsers: true, root: true, exposedFiles: ['/run/secrets/api_key'] },
      'own-users',
      false,
      /\/run\/secrets\/api_key can be read by every user/,
    ],
    ['not root, bubblewrap', { bubblewrap: true }, 'bubblewrap', true, /bubblewrap/],
    ['not root, no bubblewrap', {}, 'none', false, /not root.*bubblewrap cannot run here \(bwrap not found\)/],
    ['not root, bubblewrap switched off', { filesystemSetting: 'none' }, 'none', false, /SANDBOX_FILESYSTEM=none/],
    [
      'root with own users switched off and no bubblewrap',
      { root: true, ownUsersMissing: 'SANDBOX_USER=none' },
      'none',
      false,
      /SANDBOX_USER=none/,
    ],
    [
      'root without setpriv and no bubblewrap',
      { root: true, ownUsersMissing: 'setpriv (util-linux) not found' },
      'none',
      false,
      /users of their own \(setpriv \(util-linux\) not found\) and bubblewrap cannot run here/,
    ],
  ])('%s', (_, facts, isolation, protectedSecrets, summary) => {
    const view = childIsolation({ ...base, ...facts });
    expect(view).toMatchObject({
      isolation,
      proxySecretsProtected: protectedSecrets,
    });
    expect(view.summary).toMatch(summary);
    if (!protectedSecrets && isolation === 'none') expect(view.summary).toMatch(/run with the proxy's own rights and can read its secrets/);
  });
});
