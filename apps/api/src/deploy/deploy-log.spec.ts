import { DeployLog } from './deploy-log';

function logWith(secrets: string[] = []): { log: DeployLog; announced: string[][]; stored: string[] } {
  const announced: string[][] = [];
  const stored: string[] = [];
  const log = new DeployLog('d-1', '', { persist: async (text) => void stored.push(text), announce: (lines) => announced.push(lines) });
  log.setSecrets(secrets);
  return { log, announced, stored };
}

describe('DeployLog', () => {
  it.each([
    ['a known secret', 'token=ghp_abcdef123456 used', 'token=******** used'],
    [
      'credentials in a URL',
      "fatal: unable to access 'https://x-access-token:s3cr3t@github.com/a/b.git/'",
      "fatal: unable to access 'https://********@github.com/a/b.git/'",
    ],
    ['a Basic authorization header', 'Authorization: Basic eC1hY2Nlc3M6dG9rZW4=', 'Authorization: Basic ********'],
    ['a Bearer header', 'authorization: bearer abc.def.ghi', 'authorization: bearer ********'],
    ['nothing secret', 'added 3 packages in 1s', 'added 3 packages in 1s'],
  ])('masks %s', (_case, line, expected) => {
    const { log } = logWith(['ghp_abcdef123456']);
    expect(log.line(line)).toEqual([expected]);
  });

  it('splits text into lines, announces them, and stores the whole log in one write a moment later', async () => {
    const { log, announced, stored } = logWith();
    log.line('one\ntwo');
    log.step('three');
    expect(announced).toEqual([['one', 'two'], ['==> three']]);
    await log.flush();
    expect(stored).toEqual(['one\ntwo\n==> three']);
  });

  it('continues the log of an earlier attempt', async () => {
    const stored: string[] = [];
    const log = new DeployLog('d-1', '==> attempt 1', { persist: async (text) => void stored.push(text), announce: () => undefined });
    log.step('attempt 2');
    await log.flush();
    expect(stored).toEqual(['==> attempt 1\n==> attempt 2']);
  });

  it("masks the proxy's own secrets from the first line on, whatever the deployment's secrets are set to", () => {
    const log = new DeployLog('d-1', '', { persist: async () => undefined, announce: () => undefined }, ['proxy-jwt-secret']);
    expect(log.line('jwt proxy-jwt-secret')).toEqual(['jwt ********']);
    log.setSecrets(['service-value']);
    expect(log.line('proxy-jwt-secret and service-value')).toEqual(['******** and ********']);
    expect(log.masked('build failed:\nproxy-jwt-secret')).toBe('build failed:\n********');
  });

  it('cuts a very long line', () => {
    const { log } = logWith();
    const [line] = log.line('x'.repeat(20_000));
    expect(line.endsWith('… (line cut)')).toBe(true);
    expect(line.length).toBeLessThan(9000);
  });
});
