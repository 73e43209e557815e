import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { authInterceptor } from '../../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../../core/auth/auth.tokens';
import { buttonByText, fieldByLabel, fieldError, typeInto } from '../../../testing/dom';
import { createTestClock, seedSession, serviceView } from '../../../testing/fixtures';
import { ServiceFormPageComponent } from './service-form-page.component';

@Component({ template: '<p>detail</p>' })
class DetailStub {}

describe('ServiceFormPageComponent', () => {
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
          { path: 'services/new', component: ServiceFormPageComponent },
          { path: 'services/:name/edit', component: ServiceFormPageComponent },
          { path: 'services/:name', component: DetailStub },
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

  async function submit(label: string): Promise<void> {
    buttonByText(page(), label).click();
    await harness.fixture.whenStable();
  }

  describe('creating', () => {
    beforeEach(async () => {
      await harness.navigateByUrl('/services/new');
    });

    it('posts the settings, with one argument per line and the variables, then opens the service', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'everything');
      typeInto(fieldByLabel(page(), 'Command'), '/usr/bin/node');
      typeInto(fieldByLabel(page(), 'Arguments'), '/srv/server-everything/dist/index.js\nstdio\n');
      typeInto(fieldByLabel(page(), 'Rate limit (requests/min per client)'), '30');
      buttonByText(page(), 'Add variable').click();
      await harness.fixture.whenStable();
      typeInto(fieldByLabel(page(), 'Name', 1), 'API_TOKEN');
      typeInto(fieldByLabel(page(), 'Value'), 's3cret');
      expect((fieldByLabel(page(), 'Value') as HTMLInputElement).type).toBe('password');
      await submit('Create service');

      const request = httpTesting.expectOne({ method: 'POST', url: '/api/services' });
      expect(request.request.body).toMatchObject({
        name: 'everything',
        transport: 'stdio',
        process: { command: '/usr/bin/node', args: ['/srv/server-everything/dist/index.js', 'stdio'], cwd: null },
        proxy: { rateLimit: 30, cache: true, responseMode: 'auto', auth: 'apiKey' },
        environment: { API_TOKEN: 's3cret' },
      });
      expect(request.request.body).not.toHaveProperty('start');
      request.flush(serviceView({ name: 'everything' }));
      await harness.fixture.whenStable();

      expect(TestBed.inject(Router).url).toBe('/services/everything');
    });

    it('creates a remote service: no command needed, the URL and the sign-in settings sent', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'notes');
      const component = harness.routeDebugElement?.componentInstance as {
        form: { controls: { transport: { setValue(v: string): void } } };
      };
      component.form.controls.transport.setValue('remote');
      await harness.fixture.whenStable();
      typeInto(fieldByLabel(page(), 'URL'), 'https://mcp.example.com/mcp');
      await submit('Create service');
      const request = httpTesting.expectOne({ method: 'POST', url: '/api/services' });
      expect(request.request.body.remote).toEqual({
        url: 'https://mcp.example.com/mcp',
        protocol: 'streamable-http',
        headers: {},
        allowInsecureHttp: false,
        auth: 'headers',
      });
      request.flush(serviceView({ name: 'notes' }));
      await harness.fixture.whenStable();
    });

    it('does not call the API while required fields are empty', async () => {
      await submit('Create service');
      httpTesting.expectNone('/api/services');
      expect(fieldError(page(), 'Name')).toBe('Required');
      expect(fieldError(page(), 'Command')).toBe('Required');
    });

    it('explains a name the API would refuse before sending it', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'Not Valid');
      typeInto(fieldByLabel(page(), 'Command'), 'npx');
      await submit('Create service');
      httpTesting.expectNone('/api/services');
      expect(fieldError(page(), 'Name')).toContain('lowercase letters, digits or dashes');
    });

    it("shows the API's 400 messages next to the fields they name and above the buttons", async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'everything');
      typeInto(fieldByLabel(page(), 'Command'), 'npx');
      await submit('Create service');

      httpTesting.expectOne('/api/services').flush(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: ['process.maxRestarts must not be less than 0', 'environment.1A is not a valid variable name'],
        },
        { status: 400, statusText: 'Bad Request' },
      );
      await harness.fixture.whenStable();

      expect(fieldError(page(), 'Max restarts')).toBe('process.maxRestarts must not be less than 0');
      const alerts = [...page().querySelectorAll('[role="alert"]')].map((alert) => alert.textContent?.trim() ?? '');
      expect(alerts).toContain('environment.1A is not a valid variable name');
      const summary = alerts.find((text) => text.startsWith('The service was not saved'));
      expect(summary).toContain('process.maxRestarts must not be less than 0');
      expect(TestBed.inject(Router).url).toBe('/services/new');

      // Changing the field clears the API's complaint about it.
      typeInto(fieldByLabel(page(), 'Max restarts'), '3');
      await harness.fixture.whenStable();
      expect(fieldError(page(), 'Max restarts')).toBeUndefined();
    });

    it('says what went wrong when the API cannot be reached', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'everything');
      typeInto(fieldByLabel(page(), 'Command'), 'npx');
      await submit('Create service');
      httpTesting.expectOne('/api/services').error(new ProgressEvent('error'), { status: 0 });
      await harness.fixture.whenStable();
      expect(page().querySelector('[role="alert"]')?.textContent).toContain('Cannot reach the API');
    });
  });

  describe('editing', () => {
    const stored = serviceView({ id: 'svc-1', name: 'everything', status: 'running', environment: { API_TOKEN: '********' } });

    beforeEach(async () => {
      await harness.navigateByUrl('/services/everything/edit');
      httpTesting.expectOne('/api/services/everything').flush(stored);
      await harness.fixture.whenStable();
    });

    it('fills the form, keeps the name fixed and shows variable names but never values', () => {
      expect(page().querySelector('h1')?.textContent?.trim()).toBe('Edit everything');
      const name = fieldByLabel(page(), 'Name') as HTMLInputElement;
      expect(name.value).toBe('everything');
      expect(name.disabled).toBe(true);
      expect((fieldByLabel(page(), 'Command') as HTMLInputElement).value).toBe('npx');
      const variables = page().querySelector('[aria-label="Stored variables"]');
      expect(variables?.textContent).toContain('API_TOKEN');
      expect(page().textContent).not.toContain('********');
    });

    it('sends only what changed, without the environment, and warns before a restart', async () => {
      typeInto(fieldByLabel(page(), 'Rate limit (requests/min per client)'), '30');
      await harness.fixture.whenStable();
      expect(page().textContent).not.toContain('Saving restarts the service');

      typeInto(fieldByLabel(page(), 'Memory limit (MB)'), '256');
      await harness.fixture.whenStable();
      expect(page().textContent).toContain('Saving restarts the service');

      await submit('Save changes');
      const request = httpTesting.expectOne({ method: 'PATCH', url: '/api/services/svc-1' });
      expect(request.request.body).toEqual({ proxy: { rateLimit: 30 }, process: { memoryLimitMb: 256 } });
      request.flush(stored);
      await harness.fixture.whenStable();
      expect(TestBed.inject(Router).url).toBe('/services/everything');
    });

    it('goes back without a request when nothing changed', async () => {
      await submit('Save changes');
      httpTesting.expectNone('/api/services/svc-1');
      expect(TestBed.inject(Router).url).toBe('/services/everything');
    });

    it('requires every value again before replacing the variables', async () => {
      await submit('Change variables…');
      expect(page().textContent).toContain('enter every value again');
      expect((fieldByLabel(page(), 'Name', 1) as HTMLInputElement).value).toBe('API_TOKEN');
      expect((fieldByLabel(page(), 'Value') as HTMLInputElement).value).toBe('');

      await submit('Save changes');
      httpTesting.expectNone('/api/services/svc-1');
      expect(fieldError(page(), 'Value')).toBe('Enter the value again');

      typeInto(fieldByLabel(page(), 'Value'), 'rotated');
      await submit('Save changes');
      const request = httpTesting.expectOne({ method: 'PATCH', url: '/api/services/svc-1' });
      expect(request.request.body).toEqual({ environment: { API_TOKEN: 'rotated' } });
      request.flush(stored);
    });

    it('can go back to keeping the stored variables', async () => {
      await submit('Change variables…');
      await submit('Keep current variables');
      await submit('Save changes');
      httpTesting.expectNone('/api/services/svc-1');
    });
  });

  describe('editing an OAuth remote', () => {
    const stored = serviceView({
      id: 'svc-2',
      name: 'notes',
      status: 'stopped',
      transport: 'remote',
      remote: {
        url: 'https://mcp.example.com/mcp',
        protocol: 'streamable-http',
        headers: {},
        allowInsecureHttp: false,
        auth: 'oauth',
        oauth: { connection: 'shared', clientId: 'proxy-client', clientSecret: '********', scopes: ['openid'] },
      },
    });

    beforeEach(async () => {
      await harness.navigateByUrl('/services/notes/edit');
      httpTesting.expectOne('/api/services/notes').flush(stored);
      await harness.fixture.whenStable();
    });

    it('shows the sign-in settings with the secret write-only, and keeps the stored secret when other fields change', async () => {
      expect((fieldByLabel(page(), 'Client ID (pre-registered)') as HTMLInputElement).value).toBe('proxy-client');
      const secret = fieldByLabel(page(), 'Client secret') as HTMLInputElement;
      expect(secret.type).toBe('password');
      expect(secret.value).toBe('');
      expect(page().textContent).toContain('Stored and never shown');
      typeInto(fieldByLabel(page(), 'Scopes'), 'openid mcp:tools');
      await submit('Save changes');
      const request = httpTesting.expectOne({ method: 'PATCH', url: '/api/services/svc-2' });
      expect(request.request.body.remote).toMatchObject({
        auth: 'oauth',
        oauth: { connection: 'shared', clientId: 'proxy-client', clientSecret: '********', scopes: ['openid', 'mcp:tools'] },
      });
      request.flush(stored);
      await harness.fixture.whenStable();
    });
  });

  it('says when the service to edit does not exist', async () => {
    await harness.navigateByUrl('/services/ghost/edit');
    httpTesting
      .expectOne('/api/services/ghost')
      .flush({ statusCode: 404, error: 'Not Found', message: 'Service "ghost" not found' }, { status: 404, statusText: 'Not Found' });
    await harness.fixture.whenStable();
    expect(page().querySelector('[role="alert"]')?.textContent).toContain('Service "ghost" not found (HTTP 404)');
    expect(page().querySelector('form')).toBeNull();
  });
});
