import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { UserRole } from '@mcp-proxy/shared/dto';
import { authInterceptor } from '../../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../../core/auth/auth.tokens';
import { buttonByText } from '../../../testing/dom';
import { provideFakeLive } from '../../../testing/fake-live-socket';
import { answerToolPins, createTestClock, loginView, seedSession, serviceView } from '../../../testing/fixtures';
import { ServiceDetailPageComponent } from './service-detail-page.component';

@Component({ template: '<p>list</p>' })
class ListStub {}

/** The detail page offers each role only what the API would let it do. */
describe('ServiceDetailPageComponent by role', () => {
  let harness: RouterTestingHarness;
  let httpTesting: HttpTestingController;

  async function open(role: UserRole): Promise<HTMLElement> {
    sessionStorage.clear();
    seedSession(loginView({ role, username: role === 'admin' ? undefined : `a-${role}` }));
    const live = provideFakeLive();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'services', component: ListStub },
          { path: 'services/:name', component: ServiceDetailPageComponent },
        ]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        ...live.providers,
        {
          provide: MATERIAL_ANIMATIONS,
          useValue: { animationsDisabled: true },
        },
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/services/everything');
    httpTesting.expectOne('/api/services/everything').flush(
      serviceView({
        name: 'everything',
        status: 'stopped',
        pid: null,
        startedAt: null,
        environment: { API_TOKEN: '********' },
      }),
    );
    await harness.fixture.whenStable();
    return harness.routeNativeElement as HTMLElement;
  }

  afterEach(() => {
    answerToolPins(httpTesting);
    httpTesting.verify();
    sessionStorage.clear();
  });

  const actionLabels = (page: HTMLElement): string[] =>
    [...page.querySelectorAll('[aria-label="Service actions"] button, [aria-label="Service actions"] a')].map(
      (element) => element.textContent?.trim() ?? '',
    );

  it('a viewer sees no Start, Stop, Restart, Edit or Delete, and a note saying why', async () => {
    const page = await open('viewer');
    expect(actionLabels(page)).toEqual(['Logs']);
    expect(page.querySelector('[data-testid="read-only-note"]')?.textContent).toContain('operator role');
    expect(() => buttonByText(page, 'Reveal values')).toThrow();
  });

  it('an operator may start and stop, but not edit, delete or reveal', async () => {
    const page = await open('operator');
    expect(actionLabels(page)).toEqual(['Start', 'Stop', 'Restart', 'Logs']);
    expect(() => buttonByText(page, 'Reveal values')).toThrow();
  });

  it('an admin reveals the values on request, and hides them again', async () => {
    const page = await open('admin');
    expect(actionLabels(page)).toEqual(['Start', 'Stop', 'Restart', 'Edit', 'Logs', 'Delete']);
    buttonByText(page, 'Reveal values').click();
    httpTesting.expectOne('/api/services/everything/environment').flush({ environment: { API_TOKEN: 'sk-123' } });
    await harness.fixture.whenStable();
    expect(page.querySelector('section[aria-labelledby="card-environment"]')?.textContent).toContain('sk-123');
    buttonByText(page, 'Hide values').click();
    await harness.fixture.whenStable();
    expect(page.querySelector('section[aria-labelledby="card-environment"]')?.textContent).not.toContain('sk-123');
  });
});
