import type { DriftPolicy } from '@mcp-proxy/shared/dto';
import { heldToolRefusal, ToolListPage, ToolPinGuard, toolPinsFor, withoutHeldTools } from './tool-pin-guard';

class RecordingGuard implements ToolPinGuard {
  readonly seen: { policy: string; names: string[]; page: ToolListPage }[] = [];
  observe(_serviceId: string, policy: 'warn' | 'block', tools: readonly unknown[], page: ToolListPage): void {
    this.seen.push({ policy, names: tools.map((tool) => (tool as { name: string }).name), page });
  }
  unapproved(): Set<string> {
    return new Set(['echo']);
  }
}

const list = { tools: [{ name: 'echo' }, { name: 'add' }] };

describe('tool pinning as the proxy sees it', () => {
  it('shows the guard each list with its place among the pages, at once under block, after the answer under warn, never under off', async () => {
    const guard = new RecordingGuard();
    let policy: DriftPolicy = 'block';
    const pins = toolPinsFor(guard, 'svc', () => policy);
    pins.observe(list, {});
    pins.observe({ ...list, nextCursor: 'p2' }, { cursor: 'p1' });
    expect(guard.seen).toEqual([
      { policy: 'block', names: ['echo', 'add'], page: { first: true, last: true } },
      { policy: 'block', names: ['echo', 'add'], page: { first: false, last: false } },
    ]);
    expect(pins.held()?.has('echo')).toBe(true);
    expect(pins.blocking()).toBe(true);

    policy = 'warn';
    pins.observe(list, undefined);
    expect(guard.seen).toHaveLength(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(guard.seen[2]).toMatchObject({ policy: 'warn' });
    expect(pins.held()).toBeNull();

    policy = 'off';
    pins.observe(list, {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(guard.seen).toHaveLength(3);
  });

  it('leaves held tools out of a list (the same object when none is listed) and refuses their calls by name', () => {
    const held = new Set(['echo']);
    expect(withoutHeldTools(list, held)).toEqual({ tools: [{ name: 'add' }] });
    const other = { tools: [{ name: 'add' }] };
    expect(withoutHeldTools(other, held)).toBe(other);
    expect(withoutHeldTools(list, null)).toBe(list);

    expect(heldToolRefusal(7, { name: 'add' }, held, 'svc')).toBeNull();
    expect(heldToolRefusal(7, { name: 'echo' }, null, 'svc')).toBeNull();
    expect(heldToolRefusal(7, { name: 'echo' }, held, 'svc')).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32602,
        message: expect.stringMatching(
          /^Tool "echo" of "svc" is held back: .* An admin must approve the change in the portal \(Services → svc → Tool pinning\)\.$/,
        ),
      },
    });
  });
});
