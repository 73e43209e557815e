import { HttpTestingController, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { AuditEventView, AuditPageView } from '@mcp-proxy/shared/dto';
import { pageProviders } from '../../testing/page-providers';
import { buttonByText, fieldByLabel, typeInto } from '../../testing/dom';
import { seedSession } from '../../testing/fixtures';
import { AuditPageComponent } from './audit-page.component';

function auditEvent(overrides: Partial<AuditEventView>): AuditEventView {
  return {
    id: 'event-1',
    at: '2026-01-01T00:00:00.000Z',
    actor: 'admin',
    actorKind: 'admin',
    actorName: 'admin (API key)',
    action: 'POST /api/services',
    outcome: 'ok',
    target: null,
    targetName: null,
    targetKind: null,
    address: '127.0.0.1',
    detail: null,
    ...overrides,
  };
}

function page(...items: AuditEventView[]): AuditPageView {
  return { items, total: items.length };
}

describe('AuditPageComponent', () => {
  let fixture: ComponentFixture<AuditPageComponent>;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    TestBed.configureTestingModule({
      imports: [AuditPageComponent],
      providers: pageProviders(),
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AuditPageComponent);
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function actions(): string[] {
    return [...element().querySelectorAll('tr[data-outcome] code')].map((code) => code.textContent?.trim() ?? '');
  }

  function auditRequest(actor: string | null): TestRequest {
    return httpTesting.expectOne((request) => request.url === '/api/audit' && request.params.get('actor') === actor);
  }

  async function applyActor(actor: string): Promise<void> {
    typeInto(fieldByLabel(element(), 'Actor'), actor);
    buttonByText(element(), 'Apply').click();
    await fixture.whenStable();
  }

  it('shows the rows of the filters applied', async () => {
    auditRequest(null).flush(page(auditEvent({ id: 'a', action: 'auth.login' })));
    await fixture.whenStable();
    expect(actions()).toEqual(['auth.login']);

    await applyActor('vera');
    auditRequest('vera').flush(page(auditEvent({ id: 'b', actor: 'vera', action: 'POST /api/services/x/start', outcome: 'refused' })));
    await fixture.whenStable();
    expect(actions()).toEqual(['POST /api/services/x/start']);
  });

  it('never lets an older answer replace a newer one: filters applied while a page loads cancel its read', async () => {
    await fixture.whenStable();
    const unfiltered = auditRequest(null);

    await applyActor('vera');
    expect(unfiltered.cancelled).toBe(true);
    auditRequest('vera').flush(page(auditEvent({ id: 'b', actor: 'vera', action: 'GET /api/services/x/environment', outcome: 'refused' })));
    await fixture.whenStable();
    expect(actions()).toEqual(['GET /api/services/x/environment']);
    expect(element().querySelector('mat-progress-bar')).toBeNull();
  });
});
