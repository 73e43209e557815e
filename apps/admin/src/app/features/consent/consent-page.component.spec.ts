import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { ConsentRequestView } from '@mcp-proxy/shared/dto';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { buttonByText } from '../../testing/dom';
import { createTestClock, seedSession } from '../../testing/fixtures';
import { ConsentPageComponent, LEAVE_APP } from './consent-page.component';

const ID = '11111111-2222-4333-8444-555555555555';

const pending: ConsentRequestView = {
  id: ID,
  clientId: 'client-1',
  clientName: 'Claude',
  redirectUri: 'https://claude.ai/api/mcp/auth_callback',
  serviceId: 'svc-1',
  serviceName: 'everything',
  resource: 'https://mcp.example.com/mcp/everything',
  scope: 'mcp',
  status: 'pending',
  expiresAt: '2026-01-01T00:10:00.000Z',
};

describe('ConsentPageComponent', () => {
  let harness: RouterTestingHarness;
  let httpTesting: HttpTestingController;
  const left: string[] = [];

  beforeEach(async () => {
    sessionStorage.clear();
    seedSession();
    left.length = 0;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'consent/:id', component: ConsentPageComponent }]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: LEAVE_APP, useValue: (url: string) => left.push(url) },
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(`/consent/${ID}`);
    httpTesting.expectOne(`/api/oauth/authorizations/${ID}`).flush(pending);
    harness.detectChanges();
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  const page = (): HTMLElement => harness.routeNativeElement as HTMLElement;

  it('names the client, the service and where the browser returns to', () => {
    expect(page().textContent).toContain('Claude wants to use everything');
    expect(page().textContent).toContain('https://claude.ai/api/mcp/auth_callback');
  });

  it('approving sends the browser back to the client with what the API answered', () => {
    buttonByText(page(), 'Approve').click();
    const approve = httpTesting.expectOne(`/api/oauth/authorizations/${ID}/approve`);
    expect(approve.request.body).toEqual({});
    approve.flush({ redirectTo: 'https://claude.ai/api/mcp/auth_callback?code=abc&state=s' });
    expect(left).toEqual(['https://claude.ai/api/mcp/auth_callback?code=abc&state=s']);
  });

  it('denying tells the API and goes back too; an error stays on the page', () => {
    buttonByText(page(), 'Deny').click();
    httpTesting
      .expectOne(`/api/oauth/authorizations/${ID}/deny`)
      .flush({ statusCode: 409, message: 'This request was answered already' }, { status: 409, statusText: 'Conflict' });
    harness.detectChanges();
    expect(left).toEqual([]);
    expect(page().querySelector('[role="alert"]')?.textContent).toContain('answered already');
  });
});
