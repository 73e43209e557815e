import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { SessionView } from '@mcp-proxy/shared/dto';
import { buttonByText } from '../../testing/dom';
import { SessionsPanelComponent } from './sessions-panel.component';

function session(overrides: Partial<SessionView>): SessionView {
  return {
    id: 's-1',
    user: 'vera',
    createdAt: '2026-11-01T10:00:00.000Z',
    lastUsedAt: '2026-11-01T11:00:00.000Z',
    expiresAt: '2026-11-02T10:00:00.000Z',
    address: '127.0.0.1',
    userAgent: 'Firefox/140',
    current: false,
    ...overrides,
  };
}

describe('SessionsPanelComponent', () => {
  let httpTesting: HttpTestingController;

  async function render(userId?: string) {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(SessionsPanelComponent);
    if (userId) fixture.componentRef.setInput('userId', userId);
    fixture.detectChanges();
    return fixture;
  }

  afterEach(() => httpTesting.verify());

  it('lists your own sessions, marks this one, and ends another then reloads', async () => {
    const fixture = await render();
    httpTesting
      .expectOne('/api/auth/sessions')
      .flush([session({ id: 'here', current: true, userAgent: 'Firefox/140' }), session({ id: 'phone', userAgent: 'Safari/18' })]);
    await fixture.whenStable();
    const page = fixture.nativeElement as HTMLElement;
    const here = page.querySelector('tr[data-session="here"]');
    expect(here?.textContent).toContain('This session');
    expect(here?.querySelector('button')).toBeNull();
    expect(page.querySelector('tr[data-session="phone"]')?.textContent).toContain('Safari/18');
    expect(page.textContent).not.toContain('End all');

    buttonByText(page, 'End').click();
    httpTesting.expectOne({ method: 'DELETE', url: '/api/auth/sessions/phone' }).flush(null, { status: 204, statusText: 'No Content' });
    httpTesting.expectOne('/api/auth/sessions').flush([session({ id: 'here', current: true })]);
    await fixture.whenStable();
    expect(page.querySelector('tr[data-session="phone"]')).toBeNull();
    expect(page.textContent).toContain('Session ended.');
  });

  it('for an admin looking at a user: lists theirs and ends them all', async () => {
    const fixture = await render('u-7');
    httpTesting.expectOne('/api/users/u-7/sessions').flush([session({ id: 'a' }), session({ id: 'b' })]);
    await fixture.whenStable();
    const page = fixture.nativeElement as HTMLElement;

    buttonByText(page, 'End all').click();
    httpTesting.expectOne({ method: 'DELETE', url: '/api/users/u-7/sessions' }).flush({ ended: 2 });
    httpTesting.expectOne('/api/users/u-7/sessions').flush([]);
    await fixture.whenStable();
    expect(page.textContent).toContain('No open sessions.');
  });

  it('shows why a list could not be read', async () => {
    const fixture = await render();
    httpTesting
      .expectOne('/api/auth/sessions')
      .flush({ statusCode: 401, message: 'Unauthorized' }, { status: 401, statusText: 'Unauthorized' });
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('[role="alert"]')).not.toBeNull();
  });
});
