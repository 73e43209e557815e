import type { AuditEventView } from '@mcp-proxy/shared/dto';
import { auditCsv } from './audit-csv';

const event = (over: Partial<AuditEventView>): AuditEventView => ({
  id: '1',
  at: '2026-11-26T05:00:00.000Z',
  actor: 'admin',
  actorKind: 'admin',
  actorName: 'admin (API key)',
  action: 'POST /api/services/:id/start',
  outcome: 'ok',
  target: 'everything',
  targetName: 'everything',
  targetKind: 'service',
  address: '127.0.0.1',
  detail: null,
  ...over,
});

describe('auditCsv', () => {
  it('writes a header and one line per event', () => {
    expect(auditCsv([event({})])).toBe(
      'at,actor,actorKind,action,outcome,target,address,actorName,targetName,targetKind,detail\r\n' +
        '2026-11-26T05:00:00.000Z,admin,admin,POST /api/services/:id/start,ok,everything,127.0.0.1,admin (API key),everything,service,\r\n',
    );
  });

  it.each([
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a line break', 'a\nb', '"a\nb"'],
    ['a formula', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['a leading minus', '-1+2', "'-1+2"],
    ['nothing', null, ''],
  ])('escapes %s', (_name, actor, expected) => {
    const csv = auditCsv([event({ actor })]);
    expect(csv).toContain(`\r\n2026-11-26T05:00:00.000Z,${expected},admin,`);
  });

  it('keeps the detail as JSON in one cell', () => {
    const line = auditCsv([event({ detail: { status: 403, fields: ['a', 'b'] } })]).split('\r\n')[1];
    expect(line.endsWith(',"{""status"":403,""fields"":[""a"",""b""]}"')).toBe(true);
  });
});
