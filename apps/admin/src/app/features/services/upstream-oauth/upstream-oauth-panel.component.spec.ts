import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { UpstreamConnectionView, UserRole } from '@mcp-proxy/shared/dto';
import { AUTH_CLOCK } from '../../../core/auth/auth.tokens';
import { buttonByText } from '../../../testing/dom';
import { createTestClock, loginView, seedSession } from '../../../testing/fixtures';
import { UpstreamOAuthPanelComponent } from './upstream-oauth-panel.component';

const view = (overrides: Partial<UpstreamConnectionView> = {}): UpstreamConnectionView => ({
  serviceId: 'svc-1',
  connection: 'perUser',
  connected: true,
  subject: 'alice-upstream',
  expiresAt: '2030-01-01T00:00:00.000Z',
  connectedAt: '2029-12-31T00:00:00.000Z',
  connectUrl: '/services/svc-1',
  ...overrides,
});

/** The service page's "Connect your account": the caller's own connection, or the shared one for admins to change. */
describe('UpstreamOAuthPanelComponent', () => {
  let http: HttpTestingController;

  async function render(role: UserRole, status: UpstreamConnectionView): Promise<HTMLElement> {
    sessionStorage.clear();
    seedSession(loginView({ role, username: role === 'admin' ? undefined : `a-${role}` }));
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(UpstreamOAuthPanelComponent);
    fixture.componentRef.setInput('serviceId', 'svc-1');
    fixture.detectChanges();
    http.expectOne('/api/services/svc-1/oauth').flush(status);
    fixture.detectChanges();
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  afterEach(() => {
    http.verify();
    sessionStorage.clear();
  });

  it('shows who the connection is for and disconnects it', async () => {
    const panel = await render('operator', view());
    expect(panel.textContent).toContain('Connected as alice-upstream');
    buttonByText(panel, 'Disconnect').click();
    http.expectOne({ method: 'DELETE', url: '/api/services/svc-1/oauth' }).flush(null);
    http.expectOne('/api/services/svc-1/oauth').flush(view({ connected: false, subject: null, expiresAt: null }));
  });

  it('offers a viewer no way to change the shared connection, and an admin one', async () => {
    const forViewer = await render('viewer', view({ connection: 'shared', connected: false, subject: null }));
    expect(forViewer.textContent).toContain('an admin connects this server once for everyone');
    expect(forViewer.querySelector('button')).toBeNull();
    TestBed.resetTestingModule();
    const forAdmin = await render('admin', view({ connection: 'shared', connected: false, subject: null }));
    expect(buttonByText(forAdmin, 'Connect your account')).toBeTruthy();
  });
});
