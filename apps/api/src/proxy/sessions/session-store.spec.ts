import type { JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import type { ClientSession, InFlight } from './client-session';
import { SessionStore } from './session-store';

describe('SessionStore observers', () => {
  const principal = { kind: 'client' as const, id: 'client:t1', role: 'viewer' as const, label: 'laptop' };

  it('tells every observer how each request ends: answered once, or dropped once (cancelled)', () => {
    const store = new SessionStore();
    const heard: string[] = [];
    const observer = (name: string) => ({
      answered: (_session: ClientSession, entry: InFlight, response: JsonRpcMessage) =>
        heard.push(`${name} answered ${entry.method} ${'error' in response ? 'error' : 'ok'}`),
      dropped: (_session: ClientSession, entry: InFlight) => heard.push(`${name} dropped ${entry.method}`),
    });
    store.observe(observer('metrics'));
    store.observe({ ...observer('calls'), keepsArguments: true });
    const session = store.ephemeral('svc', principal, '2025-06-18');
    expect(session.owner).toEqual({ kind: 'client', label: 'laptop' });

    const answered = session.begin({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { a: 1 } } }, null);
    const dropped = session.begin({ jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'greet' } }, null);
    if (!answered || !dropped) throw new Error('not begun');
    expect(answered).toMatchObject({ target: 'echo', args: { a: 1 } });
    session.finish(answered, { jsonrpc: '2.0', id: 1, result: {} });
    session.drop(dropped);
    session.drop(dropped);
    expect(heard).toEqual([
      'metrics answered tools/call ok',
      'calls answered tools/call ok',
      'metrics dropped prompts/get',
      'calls dropped prompts/get',
    ]);
    store.onModuleDestroy();
  });

  it('keeps a call’s arguments only when an observer reads them', () => {
    const store = new SessionStore();
    store.observe({ answered: () => undefined });
    const session = store.ephemeral('svc', principal, '2025-06-18');
    const entry = session.begin({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { a: 1 } } }, null);
    expect(entry?.target).toBe('echo');
    expect(entry && 'args' in entry).toBe(false);
    store.onModuleDestroy();
  });
});
