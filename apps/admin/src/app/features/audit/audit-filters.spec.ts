import { auditQueryParams, describeAuditDetail, EMPTY_AUDIT_FILTERS } from './audit-filters';

describe('auditQueryParams', () => {
  it('leaves out blank filters', () => {
    expect(auditQueryParams(EMPTY_AUDIT_FILTERS)).toEqual({});
    expect(auditQueryParams({ ...EMPTY_AUDIT_FILTERS, actor: '  ', action: '' })).toEqual({});
  });

  it('trims text filters and passes the outcome', () => {
    expect(
      auditQueryParams({
        ...EMPTY_AUDIT_FILTERS,
        actor: ' vera ',
        action: 'environment',
        outcome: 'refused',
      }),
    ).toEqual({
      actor: 'vera',
      action: 'environment',
      outcome: 'refused',
    });
  });

  it('turns a day range into since (that midnight) and until (the midnight after the last day), in local time', () => {
    const params = auditQueryParams({
      ...EMPTY_AUDIT_FILTERS,
      from: '2026-11-01',
      to: '2026-11-03',
    });
    expect(params['since']).toBe(new Date(2026, 10, 1).toISOString());
    expect(params['until']).toBe(new Date(2026, 10, 4).toISOString());
  });

  it('ignores a date that is not a day', () => {
    expect(auditQueryParams({ ...EMPTY_AUDIT_FILTERS, from: 'yesterday' })).toEqual({});
  });

  it('pages by limit and offset', () => {
    expect(auditQueryParams(EMPTY_AUDIT_FILTERS, { index: 2, size: 25 })).toEqual({ limit: '25', offset: '50' });
  });
});

describe('describeAuditDetail', () => {
  it('shows the facts of an event on one line', () => {
    expect(describeAuditDetail({ status: 403, reason: 'needs admin' })).toBe('status: 403 · reason: needs admin');
    expect(describeAuditDetail({ fields: ['name', 'environment'] })).toBe('fields: name, environment');
    expect(describeAuditDetail(null)).toBe('');
  });
});
