import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { buttonByText, fieldByLabel, fieldError, typeInto } from '../../testing/dom';
import { createTestClock, seedSession, serviceView } from '../../testing/fixtures';
import { DeployPageComponent } from './deploy-page.component';

@Component({ template: '<p>deployment</p>' })
class DeploymentStub {}

const weather = serviceView({
  id: 'svc-weather',
  name: 'weather',
  repository: { url: 'https://github.com/acme/weather', branch: 'main', entryPoint: null, allowScripts: false },
  environment: { API_KEY: '********' },
});

describe('DeployPageComponent', () => {
  let harness: RouterTestingHarness;
  let httpTesting: HttpTestingController;

  beforeEach(async () => {
    sessionStorage.clear();
    seedSession();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'deploy', component: DeployPageComponent },
          { path: 'deploy/:id', component: DeploymentStub },
        ]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  function page(): HTMLElement {
    return harness.routeNativeElement as HTMLElement;
  }

  async function open(url: string, services = [weather, serviceView({ id: 'svc-2', name: 'everything' })]): Promise<void> {
    await harness.navigateByUrl(url);
    httpTesting.expectOne({ method: 'GET', url: '/api/services' }).flush(services);
    await harness.fixture.whenStable();
  }

  it('deploys a repository with a masked variable, then opens the deployment', async () => {
    await open('/deploy');
    typeInto(fieldByLabel(page(), 'Repository URL'), 'https://github.com/acme/Search-Server.git');
    await harness.fixture.whenStable();
    expect(page().textContent).toContain('Empty: search-server.');
    typeInto(fieldByLabel(page(), 'Branch'), 'release');
    page().querySelector<HTMLInputElement>('mat-checkbox input')?.click();
    buttonByText(page(), 'Add variable').click();
    await harness.fixture.whenStable();
    typeInto(fieldByLabel(page(), 'Name'), 'SEARCH_KEY');
    typeInto(fieldByLabel(page(), 'Value'), 's3cret');
    expect((fieldByLabel(page(), 'Value') as HTMLInputElement).type).toBe('password');
    buttonByText(page(), 'Deploy').click();
    await harness.fixture.whenStable();

    const request = httpTesting.expectOne({ method: 'POST', url: '/api/github/deploy' });
    expect(request.request.body).toEqual({
      repositoryUrl: 'https://github.com/acme/Search-Server.git',
      branch: 'release',
      allowScripts: true,
      environment: { SEARCH_KEY: 's3cret' },
    });
    request.flush({ deploymentId: 'dep-1', serviceId: 'svc-new' }, { status: 202, statusText: 'Accepted' });
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/deploy/dep-1');
  });

  it("sends the replace confirmation when the box to replace a service's repository is ticked", async () => {
    await open('/deploy');
    typeInto(fieldByLabel(page(), 'Repository URL'), 'https://github.com/other/forecast');
    typeInto(fieldByLabel(page(), 'Service name'), 'weather');
    const replace = [...page().querySelectorAll('mat-checkbox')].find((box) =>
      box.textContent?.includes("Replace the service's repository"),
    );
    replace?.querySelector<HTMLInputElement>('input')?.click();
    await harness.fixture.whenStable();
    // An existing service's name: the form offers a redeploy.
    buttonByText(page(), 'Redeploy').click();
    await harness.fixture.whenStable();

    const request = httpTesting.expectOne({ method: 'POST', url: '/api/github/deploy' });
    expect(request.request.body).toEqual({ repositoryUrl: 'https://github.com/other/forecast', serviceName: 'weather', replace: true });
    request.flush({ deploymentId: 'dep-2', serviceId: 'svc-weather' }, { status: 202, statusText: 'Accepted' });
    await harness.fixture.whenStable();
  });

  it('checks the URL before sending, and shows what the API refused next to its field', async () => {
    await open('/deploy');
    buttonByText(page(), 'Deploy').click();
    await harness.fixture.whenStable();
    expect(fieldError(page(), 'Repository URL')).toBe('Required');
    typeInto(fieldByLabel(page(), 'Repository URL'), 'git@github.com:acme/weather.git');
    await harness.fixture.whenStable();
    expect(fieldError(page(), 'Repository URL')).toContain('without user or password');
    httpTesting.expectNone('/api/github/deploy');

    typeInto(fieldByLabel(page(), 'Repository URL'), 'https://github.com/acme/nothing');
    buttonByText(page(), 'Deploy').click();
    await harness.fixture.whenStable();
    httpTesting
      .expectOne('/api/github/deploy')
      .flush(
        { statusCode: 400, message: ['serviceName is needed: no service name can be made from https://github.com/acme/nothing'] },
        { status: 400, statusText: 'Bad Request' },
      );
    await harness.fixture.whenStable();
    expect(fieldError(page(), 'Service name')).toContain('serviceName is needed');
    expect(page().querySelector('[role="alert"]')?.textContent).toContain('The deploy was not started');
    expect(buttonByText(page(), 'Deploy').disabled).toBe(false);
  });

  it('fills in a redeploy from ?service= and says the variables are merged', async () => {
    await harness.navigateByUrl('/deploy?service=weather');
    httpTesting.expectOne({ method: 'GET', url: '/api/services' }).flush([weather]);
    httpTesting.expectOne({ method: 'GET', url: '/api/services/weather' }).flush(weather);
    await harness.fixture.whenStable();

    expect((fieldByLabel(page(), 'Repository URL') as HTMLInputElement).value).toBe('https://github.com/acme/weather');
    expect((fieldByLabel(page(), 'Branch') as HTMLInputElement).value).toBe('main');
    expect((fieldByLabel(page(), 'Service name') as HTMLInputElement).value).toBe('weather');
    expect(page().querySelector('h2')?.textContent).toContain('Redeploy weather');
    expect(page().textContent).toContain('merged over the ones weather has');
    expect(page().textContent).not.toContain('********');

    buttonByText(page(), 'Redeploy').click();
    await harness.fixture.whenStable();
    const request = httpTesting.expectOne({ method: 'POST', url: '/api/github/deploy' });
    expect(request.request.body).toEqual({ repositoryUrl: 'https://github.com/acme/weather', branch: 'main', serviceName: 'weather' });
    request.flush({ deploymentId: 'dep-2', serviceId: 'svc-weather' });
    await harness.fixture.whenStable();
  });

  it('lists only the services deployed from a repository, with their deployments and a redeploy link', async () => {
    await open('/deploy');
    const rows = [...page().querySelectorAll('table[aria-label="Deployed services"] tbody tr')];
    expect(rows.map((row) => row.getAttribute('data-service'))).toEqual(['weather']);
    const links = [...rows[0].querySelectorAll('a')].map((a) => [a.textContent?.trim(), a.getAttribute('href')]);
    expect(links).toEqual([
      ['weather', '/services/weather'],
      ['Deployments', '/services/weather?tab=deployments'],
      ['Redeploy', '/deploy?service=weather'],
    ]);
  });

  it('says when nothing is deployed yet', async () => {
    await open('/deploy', []);
    expect(page().textContent).toContain('None yet: the first deploy creates its service here.');
  });
});
