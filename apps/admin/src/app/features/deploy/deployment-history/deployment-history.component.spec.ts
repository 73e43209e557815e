import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from '../../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../../core/auth/auth.tokens';
import { buttonByText } from '../../../testing/dom';
import { provideFakeLive } from '../../../testing/fake-live-socket';
import { createTestClock, deploymentSummary, seedSession, serviceView } from '../../../testing/fixtures';
import { DeploymentHistoryComponent } from './deployment-history.component';

@Component({ template: '<p>deployment</p>' })
class DeploymentStub {}

const service = serviceView({
  id: 'svc-weather',
  name: 'weather',
  repository: { url: 'https://github.com/acme/weather', branch: 'main', entryPoint: null },
});

describe('DeploymentHistoryComponent', () => {
  let fixture: ComponentFixture<DeploymentHistoryComponent>;
  let httpTesting: HttpTestingController;
  let live: ReturnType<typeof provideFakeLive>;

  beforeEach(async () => {
    sessionStorage.clear();
    seedSession();
    live = provideFakeLive();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([{ path: 'deploy/:id', component: DeploymentStub }]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        ...live.providers,
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(DeploymentHistoryComponent);
    fixture.componentRef.setInput('service', service);
    await fixture.whenStable();
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => element.remove());
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function rows(): string[][] {
    return [...element().querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim().replace(/\s+/g, ' ') ?? ''),
    );
  }

  const current = deploymentSummary({ id: 'd2', commit: 'c2c2c2c2c2c2c2c2' });
  const earlier = deploymentSummary({
    id: 'd1',
    commit: 'a1a1a1a1a1a1a1a1',
    timings: { ...deploymentSummary().timings, queuedAt: '2025-12-31T00:00:00.000Z' },
  });
  const broken = deploymentSummary({
    id: 'd3',
    status: 'failed',
    commit: 'f3f3f3f3f3f3f3f3',
    error: 'build failed: exit 2',
    timings: { ...deploymentSummary().timings, buildMs: null, startMs: null },
  });

  it('lists the deployments with commit, status, times and error, each linking to its log', async () => {
    httpTesting.expectOne('/api/services/svc-weather/deployments').flush([broken, current, earlier]);
    await fixture.whenStable();

    const [first, second] = rows();
    expect(first).toEqual([
      expect.stringMatching(/2026/),
      'failed',
      'f3f3f3f3f3f3 main',
      'api',
      '5.0 s clone 1.2 s · install 2.0 s',
      'build failed: exit 2',
      'Log',
    ]);
    expect(second[1]).toBe('succeeded');
    expect(element().querySelector('tbody tr a')?.getAttribute('href')).toBe('/deploy/d3');
    expect(buttonByText(element(), 'Roll back').disabled).toBe(false);
  });

  it('rolls back only after confirmation, then opens the new deployment', async () => {
    httpTesting.expectOne('/api/services/svc-weather/deployments').flush([current, earlier]);
    await fixture.whenStable();

    buttonByText(element(), 'Roll back').click();
    await fixture.whenStable();
    const dialog = document.querySelector('mat-dialog-container') as HTMLElement;
    expect(dialog.textContent).toContain('Roll back weather?');
    buttonByText(dialog, 'Cancel').click();
    await fixture.whenStable();
    httpTesting.expectNone('/api/services/svc-weather/rollback');

    buttonByText(element(), 'Roll back').click();
    await fixture.whenStable();
    buttonByText(document.querySelector('mat-dialog-container') as HTMLElement, 'Roll back').click();
    await fixture.whenStable();
    httpTesting
      .expectOne({ method: 'POST', url: '/api/services/svc-weather/rollback' })
      .flush({ deploymentId: 'd4', serviceId: 'svc-weather' }, { status: 202, statusText: 'Accepted' });
    await fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/deploy/d4');
  });

  it('shows why a rollback was refused', async () => {
    httpTesting.expectOne('/api/services/svc-weather/deployments').flush([current, earlier]);
    await fixture.whenStable();
    buttonByText(element(), 'Roll back').click();
    await fixture.whenStable();
    buttonByText(document.querySelector('mat-dialog-container') as HTMLElement, 'Roll back').click();
    await fixture.whenStable();
    httpTesting
      .expectOne('/api/services/svc-weather/rollback')
      .flush({ statusCode: 409, message: '"weather" has no earlier build to roll back to' }, { status: 409, statusText: 'Conflict' });
    await fixture.whenStable();
    expect(element().querySelector('[role="alert"]')?.textContent).toContain('has no earlier build to roll back to (HTTP 409)');
  });

  it('cannot roll back with a single successful build, and says when there are no deployments', async () => {
    httpTesting.expectOne('/api/services/svc-weather/deployments').flush([]);
    await fixture.whenStable();
    expect(element().textContent).toContain('No deployments yet.');
    expect(buttonByText(element(), 'Roll back').disabled).toBe(true);
  });

  it('keeps a running deployment current from its channel', async () => {
    const running = deploymentSummary({ id: 'd5', status: 'cloning', commit: null });
    httpTesting.expectOne('/api/services/svc-weather/deployments').flush([running, current]);
    await fixture.whenStable();

    const socket = live.sockets.last();
    socket.accept();
    httpTesting.expectOne('/api/services/svc-weather/deployments').flush([running, current]);
    await fixture.whenStable();
    expect(socket.sent).toContainEqual({ type: 'subscribe', channel: 'deploy:d5' });
    socket.receive({
      type: 'deployment',
      channel: 'deploy:d5',
      deployment: { ...running, status: 'building', commit: 'b0b0b0b0b0b0b0b0' },
    });
    await fixture.whenStable();
    expect(rows()[0][1]).toBe('building');
    expect(rows()[0][2]).toContain('b0b0b0b0b0b0');

    socket.receive({ type: 'deployment', channel: 'deploy:d5', deployment: { ...running, status: 'succeeded' } });
    await fixture.whenStable();
    expect(socket.sent).toContainEqual({ type: 'unsubscribe', channel: 'deploy:d5' });
  });
});
