import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { UserView } from '@mcp-proxy/shared/dto';
import { buttonByText, fieldByLabel, typeInto } from '../../testing/dom';
import { serviceView } from '../../testing/fixtures';
import { serviceScopeLabel, UsersPageComponent } from './users-page.component';

const vera: UserView = {
  id: 'u-1',
  username: 'vera',
  role: 'viewer',
  services: null,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  lastLoginAt: null,
};

describe('serviceScopeLabel', () => {
  const services = [serviceView({ id: 's-1', name: 'alpha' }), serviceView({ id: 's-2', name: 'beta' })];
  it('names the services a user is limited to, by their current names', () => {
    expect(serviceScopeLabel({ services: null }, services)).toBe('All services');
    expect(serviceScopeLabel({ services: ['s-2'] }, services)).toBe('beta');
    expect(serviceScopeLabel({ services: ['s-1', 'gone'] }, services)).toBe('alpha, gone');
  });
});

describe('UsersPageComponent', () => {
  let httpTesting: HttpTestingController;

  async function render(): Promise<HTMLElement> {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: MATERIAL_ANIMATIONS,
          useValue: { animationsDisabled: true },
        },
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(UsersPageComponent);
    httpTesting.expectOne('/api/users').flush([vera]);
    httpTesting.expectOne('/api/services').flush([serviceView({ id: 's-1', name: 'alpha' })]);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  afterEach(() => httpTesting.verify());

  it('lists users with their role and scope', async () => {
    const page = await render();
    const row = page.querySelector('tr[data-user="vera"]');
    expect(row?.textContent).toContain('All services');
    expect(row?.textContent).toContain('never');
  });

  it('creates a viewer for all services, then reloads the list', async () => {
    const page = await render();
    typeInto(fieldByLabel(page, 'User name'), 'otto');
    typeInto(fieldByLabel(page, 'Password'), 'long enough password');
    buttonByText(page, 'Create user').click();
    const request = httpTesting.expectOne({
      method: 'POST',
      url: '/api/users',
    });
    expect(request.request.body).toEqual({
      username: 'otto',
      password: 'long enough password',
      role: 'viewer',
      services: null,
    });
    request.flush({ ...vera, id: 'u-2', username: 'otto' }, { status: 201, statusText: 'Created' });
    httpTesting.expectOne('/api/users').flush([vera, { ...vera, id: 'u-2', username: 'otto' }]);
  });

  it('does not send a password shorter than the API accepts, and shows the API field errors', async () => {
    const page = await render();
    typeInto(fieldByLabel(page, 'User name'), 'otto');
    typeInto(fieldByLabel(page, 'Password'), 'short');
    buttonByText(page, 'Create user').click();
    httpTesting.expectNone({ method: 'POST', url: '/api/users' });

    typeInto(fieldByLabel(page, 'Password'), 'long enough password');
    buttonByText(page, 'Create user').click();
    httpTesting
      .expectOne({ method: 'POST', url: '/api/users' })
      .flush({ statusCode: 409, message: 'A user named "otto" already exists' }, { status: 409, statusText: 'Conflict' });
    TestBed.tick();
    expect(page.textContent).toContain('A user named "otto" already exists');
  });
});
