import { type JsonRpcMessage, JsonRpcRequestError, onceWritten, parseMessageBytes, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import { FakeChildProcess, FakeSignaller } from '../../../test/support/fake-child-process';
import type { ServiceLogLine } from '../child-handle';
import type { SpawnSpec } from './child-spawner';
import { ChildOptions, ExitFacts, SpawnFailedError, SupervisedChild } from './supervised-child';

const SPEC: SpawnSpec = { command: 'server', args: [], cwd: '/srv', env: {} };

describe('SupervisedChild', () => {
  let processes: Map<number, FakeChildProcess>;
  let signaller: FakeSignaller;
  let logged: Pick<ServiceLogLine, 'stream' | 'text'>[];
  let exits: ExitFacts[];

  beforeEach(() => {
    processes = new Map();
    signaller = new FakeSignaller(processes);
    logged = [];
    exits = [];
  });

  async function launch(overrides: Partial<ChildOptions> = {}): Promise<{ child: SupervisedChild; fake: FakeChildProcess }> {
    const fake = new FakeChildProcess(4242).spawnSoon();
    processes.set(fake.pid, fake);
    const child = await SupervisedChild.launch(() => fake, SPEC, {
      serviceId: 'id-1',
      serviceName: 'svc',
      generation: 3,
      transport: 'stdio',
      port: null,
      log: {
        append: (stream, text) => (logged.push({ stream, text: text.replace('secret', '***') }), { text: text.replace('secret', '***') }),
      },
      signaller,
      graceMs: 100,
      now: Date.now,
      onExit: (_child, facts) => exits.push(facts),
      ...overrides,
    });
    return { child, fake };
  }

  it('frames stdout into the peer and writes requests as lines on stdin', async () => {
    const { child, fake } = await launch();
    const pending = child.peer?.call('ping');
    await new Promise(setImmediate);
    expect(fake.received).toEqual(['{"jsonrpc":"2.0","id":1,"method":"ping"}']);
    // A response split across chunks, after a banner line that is not JSON.
    fake.stdout.write('Server ready on stdio\n{"jsonrpc":"2.0",');
    fake.stdout.write('"id":1,"result":{}}\n');
    await expect(pending).resolves.toEqual({});
    expect(logged).toContainEqual({ stream: 'stdout', text: 'Server ready on stdio' });
    expect(child).toMatchObject({ serviceId: 'id-1', serviceName: 'svc', generation: 3, pid: 4242, port: null });
  });

  it("tells who waits for a large message's bytes once they are written to stdin (they can then be freed)", async () => {
    const { child, fake } = await launch();
    const text = JSON.stringify({
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'y'.repeat(64 * 1024) } },
    });
    const parsed = parseMessageBytes(Buffer.from(text));
    if (!parsed.ok || parsed.kind === 'batch') throw new Error('expected one message');
    const message: JsonRpcMessage = parsed.message;
    let written = 0;
    expect(onceWritten(message, () => written++)).toBe(true);
    expect(child.peer?.write(message)).toBe(true);
    await new Promise(setImmediate);
    expect(fake.received).toEqual([text]);
    expect(written).toBe(1);
  });

  it('uses the id scheme it is given (session children: prefixed strings)', async () => {
    let n = 0;
    const { child } = await launch({ nextId: () => `mcp-proxy:${++n}` });
    expect(child.peer?.request('ping').id).toBe('mcp-proxy:1');
  });

  it('fails every pending request the moment the process exits, and refuses new ones', async () => {
    const { child, fake } = await launch();
    const pending = child.peer?.call('tools/call', { name: 'slow' });
    fake.exit(null, 'SIGKILL');
    const error = await pending?.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(JsonRpcRequestError);
    expect((error as JsonRpcRequestError).error).toEqual({
      code: SERVER_UNAVAILABLE,
      message: 'MCP server "svc" exited (killed by SIGKILL)',
    });
    expect(child.isRunning).toBe(false);
    expect(child.peer?.notify('late')).toBe(false);
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL', expected: false, cause: 'killed by SIGKILL' }]);
  });

  it('tells a caller that the server is not reading its input, once too much waits for it (not that the connection closed)', async () => {
    const { child, fake } = await launch({ stdinLimitBytes: 1024 * 1024 });
    fake.stdin.removeAllListeners('data');
    fake.stdin.pause();
    void child.peer?.request('tools/call', { name: 'big', arguments: { text: 'x'.repeat(1024 * 1024) } });
    const refused = await child.peer?.request('ping').response;
    expect(refused).toMatchObject({
      error: {
        code: SERVER_UNAVAILABLE,
        message: expect.stringMatching(/^MCP server "svc" is not reading its input \(\d+ bytes waiting\)/),
      },
    });
    expect(logged.some((line) => line.stream === 'system' && line.text.includes('not reading its input'))).toBe(true);
  });

  it('ends with the tail of its stderr (masked by the log) as the reason of an unexpected exit', async () => {
    const { child, fake } = await launch();
    for (let line = 1; line <= 25; line++) fake.stderr.write(`line ${line}\n`);
    fake.stderr.write('fatal: secret token missing');
    await new Promise(setImmediate);
    fake.exit(3);
    const exit = await child.exited;
    expect(exit).toMatchObject({ serviceId: 'id-1', generation: 3, code: 3, signal: null, expected: false });
    expect(exit.reason.startsWith('exited with code 3: line 7\nline 8\n')).toBe(true);
    expect(exit.reason.endsWith('line 25\nfatal: *** token missing')).toBe(true);
  });

  it('ignores output that arrives after the exit was reported (a grandchild holding the pipe)', async () => {
    const { child, fake } = await launch();
    fake.emit('exit', 0, null);
    await child.exited;
    expect(() => fake.stderr.emit('data', Buffer.from('late line\n'))).not.toThrow();
    expect(logged).not.toContainEqual(expect.objectContaining({ text: 'late line' }));
  });

  it('stops the process group with SIGTERM: an expected exit with the reason given', async () => {
    const { child } = await launch();
    const exit = await child.stop({ reason: 'session ended' });
    expect(exit).toMatchObject({ expected: true, reason: 'session ended', signal: 'SIGTERM' });
    expect(signaller.signals).toEqual([[4242, 'SIGTERM']]);
    expect(exits[0]).toMatchObject({ expected: true, cause: 'session ended' });
  });

  it('tells onStop once, before signalling the group (a container its engine must stop), whatever ends the child', async () => {
    const told: [boolean, number][] = [];
    const { child } = await launch({ onStop: (now) => told.push([now, signaller.signals.length]) });
    await child.stop();
    await child.stop();
    expect(told).toEqual([[false, 0]]);

    const urgent: boolean[] = [];
    const second = await launch({ onStop: (now) => urgent.push(now) });
    second.child.killNow();
    expect(urgent).toEqual([true]);

    const died: boolean[] = [];
    const third = await launch({ onStop: (now) => died.push(now) });
    third.fake.exit(1);
    await third.child.exited;
    expect(died).toEqual([false]);
  });

  it('sends SIGKILL to the group when SIGTERM is ignored past the grace period', async () => {
    signaller.ignoreSigterm = true;
    const { child } = await launch({ graceMs: 50 });
    const exit = await child.stop();
    expect(signaller.signals).toEqual([
      [4242, 'SIGTERM'],
      [4242, 'SIGKILL'],
    ]);
    expect(exit).toMatchObject({ expected: true, reason: 'stopped', signal: 'SIGKILL' });
  });

  it('counts a stop asked for by the supervisor itself (unresponsive) as unexpected', async () => {
    const { child } = await launch();
    const exit = await child.stop({ expected: false, reason: 'unresponsive: no reply to ping in 1 s, 3 times in a row' });
    expect(exit).toMatchObject({ expected: false, reason: 'unresponsive: no reply to ping in 1 s, 3 times in a row' });
  });

  it('does not call a death expected because a stop came after it', async () => {
    const { child, fake } = await launch();
    fake.exit(1);
    const exit = await child.stop();
    expect(exit).toMatchObject({ expected: false, code: 1 });
  });

  it('sends all output of an http child to the log and has no peer', async () => {
    const { child, fake } = await launch({ transport: 'http', port: 41000 });
    expect(child.peer).toBeNull();
    expect(child.port).toBe(41000);
    fake.stdout.write('listening on 41000\n');
    fake.stderr.write('warming up\n');
    await new Promise(setImmediate);
    expect(logged).toEqual([
      { stream: 'stdout', text: 'listening on 41000' },
      { stream: 'stderr', text: 'warming up' },
    ]);
  });

  it.each([
    ['ENOENT', 'command "server" was not found (or the working directory /srv does not exist)'],
    ['EACCES', 'command "server" is not executable'],
  ])('reports a spawn failure (%s) in words', async (code, message) => {
    const fake = new FakeChildProcess(1).failSoon(code);
    const launching = SupervisedChild.launch(() => fake, SPEC, {} as ChildOptions);
    await expect(launching).rejects.toBeInstanceOf(SpawnFailedError);
    await expect(launching).rejects.toThrow(message);
  });
});
