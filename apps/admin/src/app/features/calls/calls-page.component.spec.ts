import { HttpTestingController, TestRequest } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { CallLogPageView, CallLogView } from '@mcp-proxy/shared/dto';
import { pageProviders } from '../../testing/page-providers';
import { buttonByText, fieldByLabel, typeInto } from '../../testing/dom';
import { seedSession } from '../../testing/fixtures';
import { CallsPageComponent } from './calls-page.component';

function call(overrides: Partial<CallLogView>): CallLogView {
  return {
    id: 'call-1',
    at: '2026-01-01T00:00:00.000Z',
    instance: 'proxy-1',
    principalKind: 'client',
    principalId: 'token-1',
    principalLabel: 'laptop',
    clientName: null,
    clientVersion: null,
    endpoint: 'everything',
    serviceId: 'service-1',
    serviceName: 'everything',
    method: 'tools/call',
    tool: 'echo',
    originalTool: null,
    durationMs: 3,
    outcome: 'ok',
    errorCode: null,
    requestBytes: 40,
    responseBytes: 60,
    argumentsSha256: null,
    ...overrides,
  };
}

describe('CallsPageComponent', () => {
  let fixture: ComponentFixture<CallsPageComponent>;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    TestBed.configureTestingModule({
      imports: [CallsPageComponent],
      providers: pageProviders(),
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(CallsPageComponent);
  });

  afterEach(() => {
    // The figures above the list have their own spec.
    httpTesting.match((request) => request.url === '/api/calls/stats');
    httpTesting.verify();
    sessionStorage.clear();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function tools(): string[] {
    return [...element().querySelectorAll('button.open code')].map((code) => code.textContent?.trim() ?? '');
  }

  function callsRequest(query: { service?: string; cursor?: string }): TestRequest {
    return httpTesting.expectOne(
      (request) =>
        request.url === '/api/calls' &&
        request.params.get('service') === (query.service ?? null) &&
        request.params.get('cursor') === (query.cursor ?? null),
    );
  }

  function answer(request: TestRequest, items: CallLogView[], nextCursor: string | null = null): void {
    request.flush({ items, nextCursor } satisfies CallLogPageView);
  }

  it('adds older calls below, and a filter applied while they load replaces them', async () => {
    await fixture.whenStable();
    answer(callsRequest({}), [call({ id: 'a', tool: 'echo' })], 'older');
    await fixture.whenStable();
    expect(tools()).toEqual(['echo']);

    buttonByText(element(), 'Older calls').click();
    await fixture.whenStable();
    const older = callsRequest({ cursor: 'older' });

    typeInto(fieldByLabel(element(), 'Service'), 'files');
    buttonByText(element(), 'Apply').click();
    await fixture.whenStable();
    expect(older.cancelled).toBe(true);
    answer(callsRequest({ service: 'files' }), [call({ id: 'b', serviceName: 'files', tool: 'read_file' })]);
    await fixture.whenStable();
    expect(tools()).toEqual(['read_file']);
  });
});
