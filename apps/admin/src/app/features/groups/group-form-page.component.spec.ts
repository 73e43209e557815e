import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatSelectHarness } from '@angular/material/select/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { buttonByText, fieldByLabel, typeInto } from '../../testing/dom';
import { createTestClock, groupView, seedSession, serviceView } from '../../testing/fixtures';
import { GroupFormPageComponent } from './group-form-page.component';

@Component({ template: '<p>group</p>' })
class DetailStub {}

const services = [serviceView({ id: 'svc-1', name: 'everything' }), serviceView({ id: 'svc-2', name: 'weather', status: 'stopped' })];

describe('GroupFormPageComponent', () => {
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
          { path: 'groups/new', component: GroupFormPageComponent },
          { path: 'groups/:name/edit', component: GroupFormPageComponent },
          { path: 'groups/:name', component: DetailStub },
        ]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => element.remove());
  });

  function page(): HTMLElement {
    return harness.routeNativeElement as HTMLElement;
  }

  async function addMember(name: string): Promise<void> {
    const select = await TestbedHarnessEnvironment.loader(harness.fixture).getHarness(
      MatSelectHarness.with({ selector: '.add-member mat-select' }),
    );
    await select.open();
    await select.clickOptions({ text: new RegExp(`^${name} `) });
    buttonByText(page(), 'Add member').click();
    await harness.fixture.whenStable();
  }

  function memberNames(): string[] {
    return [...page().querySelectorAll('.member .member-name')].map((item) => item.textContent?.trim() ?? '');
  }

  describe('creating', () => {
    beforeEach(async () => {
      await harness.navigateByUrl('/groups/new');
      httpTesting.expectOne('/api/services').flush(services);
      await harness.fixture.whenStable();
    });

    it('posts the members in the order chosen, with their filters and renames, then opens the group', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'team');
      await addMember('everything');
      await addMember('weather');
      expect(memberNames()).toEqual(['everything', 'weather']);
      buttonByText(page(), 'Down').click(); // the first member's
      await harness.fixture.whenStable();
      expect(memberNames()).toEqual(['weather', 'everything']);

      typeInto(fieldByLabel(page(), 'Allow', 1), 'echo\nget-*');
      (page().querySelector('button[aria-label="Rename a tool of everything"]') as HTMLButtonElement).click();
      await harness.fixture.whenStable();
      typeInto(fieldByLabel(page(), 'Tool or prompt'), 'echo');
      typeInto(fieldByLabel(page(), 'Shown as'), 'say');
      await harness.fixture.whenStable();
      expect(page().textContent).toContain('everything__say');
      typeInto(fieldByLabel(page(), 'Group deny'), 'weather__debug');
      buttonByText(page(), 'Create group').click();
      await harness.fixture.whenStable();

      const request = httpTesting.expectOne({ method: 'POST', url: '/api/groups' });
      expect(request.request.body).toEqual({
        name: 'team',
        enabled: true,
        separator: '__',
        members: [
          { service: 'weather', allow: [], deny: [], renames: {} },
          { service: 'everything', allow: ['echo', 'get-*'], deny: [], renames: { echo: { name: 'say' } } },
        ],
        allow: [],
        deny: ['weather__debug'],
        settings: { rateLimit: 0, requestTimeoutSec: 60, memberTimeoutSec: 5, responseMode: 'auto', toolSearch: false },
      });
      request.flush(groupView());
      await harness.fixture.whenStable();
      expect(TestBed.inject(Router).url).toBe('/groups/team');
    });

    it('asks for a name and at least one member before sending', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'all');
      buttonByText(page(), 'Create group').click();
      await harness.fixture.whenStable();
      expect(page().textContent).toContain('"all" is the built-in group of every service');
      expect(page().textContent).toContain('Add at least one service.');
      httpTesting.expectNone('/api/groups');
    });

    it('shows what the API refused next to the member it names', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'team');
      await addMember('everything');
      buttonByText(page(), 'Create group').click();
      await harness.fixture.whenStable();
      httpTesting
        .expectOne('/api/groups')
        .flush({ statusCode: 400, message: ['members.0.service: no service "everything"'] }, { status: 400, statusText: 'Bad Request' });
      await harness.fixture.whenStable();

      expect(page().querySelector('.member .field-error')?.textContent).toContain('no service "everything"');
      expect(page().querySelector('.error-banner')?.textContent).toContain('The group was not saved');
    });

    it('puts a taken name on the name field', async () => {
      typeInto(fieldByLabel(page(), 'Name'), 'team');
      await addMember('everything');
      buttonByText(page(), 'Create group').click();
      await harness.fixture.whenStable();
      httpTesting
        .expectOne('/api/groups')
        .flush({ statusCode: 409, message: 'A group named "team" already exists' }, { status: 409, statusText: 'Conflict' });
      await harness.fixture.whenStable();
      const nameField = [...page().querySelectorAll('mat-form-field')].find(
        (field) => field.querySelector('mat-label')?.textContent?.trim() === 'Name',
      );
      expect(nameField?.querySelector('mat-error')?.textContent).toContain('already exists');
    });
  });

  it('edits a group: the name stays, everything else is sent', async () => {
    await harness.navigateByUrl('/groups/team/edit');
    httpTesting.expectOne('/api/services').flush(services);
    httpTesting
      .expectOne('/api/groups/team')
      .flush(groupView({ members: [{ serviceId: 'svc-1', serviceName: 'everything', allow: ['echo'], deny: [], renames: {} }] }));
    await harness.fixture.whenStable();

    expect((fieldByLabel(page(), 'Name') as HTMLInputElement).disabled).toBe(true);
    expect((fieldByLabel(page(), 'Allow') as HTMLTextAreaElement).value).toBe('echo');
    await addMember('weather');
    buttonByText(page(), 'Save changes').click();
    await harness.fixture.whenStable();

    const request = httpTesting.expectOne({ method: 'PATCH', url: '/api/groups/grp-1' });
    expect(request.request.body).not.toHaveProperty('name');
    expect(request.request.body.members).toEqual([
      { service: 'everything', allow: ['echo'], deny: [], renames: {} },
      { service: 'weather', allow: [], deny: [], renames: {} },
    ]);
    request.flush(groupView());
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/groups/team');
  });
});
