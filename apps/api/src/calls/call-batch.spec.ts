import { CALL_CONTEXT_COLUMNS, CALL_OWN_COLUMNS, CallBatch } from './call-batch';
import type { CallLogEntity } from './call-log.entity';

function row(overrides: Partial<CallLogEntity>): CallLogEntity {
  return {
    id: 'id-1',
    at: new Date(5),
    instance: 'here',
    principalKind: 'user',
    principalId: 'user:u1',
    principalLabel: 'alice',
    clientName: 'claude',
    clientVersion: '1.2',
    endpoint: 'everything',
    serviceId: 'svc-1',
    serviceName: 'everything',
    method: 'tools/call',
    tool: 'echo',
    originalTool: null,
    durationMs: 3,
    outcome: 'ok',
    errorCode: null,
    requestBytes: 90,
    responseBytes: 80,
    argumentsSha256: 'a'.repeat(64),
    arguments: null,
    result: null,
    ...overrides,
  };
}

describe('CallBatch', () => {
  it("lists what a session's calls share once, and each call with its own values after its context's index", () => {
    const batch = new CallBatch();
    batch.add(row({ id: 'a' }));
    batch.add(row({ id: 'b', principalId: 'user:u2', principalLabel: 'bob' }));
    batch.add(row({ id: 'c', tool: 'get-sum', at: new Date(7) }));
    // A call without a client name has a context of its own.
    batch.add(row({ id: 'd', clientName: null }));
    expect(batch.contexts).toHaveLength(3);
    expect(batch.rows.map((values) => values[0])).toEqual([0, 1, 0, 2]);
    const first = row({ id: 'c', tool: 'get-sum', at: new Date(7) });
    expect(batch.contexts[0]).toEqual(CALL_CONTEXT_COLUMNS.map((column) => first[column]));
    expect(batch.rows[2]).toEqual([0, ...CALL_OWN_COLUMNS.map((column) => (column === 'at' ? 7 : first[column]))]);
  });
});
