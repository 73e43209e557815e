import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { createTestClock, groupView, seedSession } from '../../testing/fixtures';
import { GroupsPageComponent } from './groups-page.component';

describe('GroupsPageComponent', () => {
  let fixture: ComponentFixture<GroupsPageComponent>;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
    seedSession();
    TestBed.configureTestingModule({
      imports: [GroupsPageComponent],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
      ],
    });
    httpTesting = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(GroupsPageComponent);
  });

  afterEach(() => {
    httpTesting.verify();
    sessionStorage.clear();
  });

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  it('lists each group with its path, members and state', async () => {
    httpTesting.expectOne('/api/groups').flush([
      groupView(),
      groupView({
        id: 'grp-2',
        name: 'research',
        path: '/mcp/g/research',
        enabled: false,
        members: [
          { serviceId: 'a', serviceName: 'search', allow: [], deny: [], renames: {} },
          { serviceId: 'b', serviceName: 'fetch', allow: [], deny: [], renames: {} },
        ],
      }),
    ]);
    await fixture.whenStable();

    const rows = [...element().querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()),
    );
    expect(rows).toEqual([
      ['team', '/mcp/g/team', 'everything', 'enabled'],
      ['research', '/mcp/g/research', 'search, fetch', 'disabled'],
    ]);
    expect(element().querySelector('tbody a')?.getAttribute('href')).toBe('/groups/team');
    expect(element().querySelector('pre[aria-label="All services MCP URL"]')?.textContent?.trim()).toBe(`${location.origin}/mcp`);
  });

  it('invites to create the first group when there is none', async () => {
    httpTesting.expectOne('/api/groups').flush([]);
    await fixture.whenStable();
    expect(element().querySelector('#groups-empty')?.textContent?.trim()).toBe('No groups yet');
    const create = [...element().querySelectorAll('a')].find((a) => a.textContent?.trim() === 'Create a group');
    expect(create?.getAttribute('href')).toBe('/groups/new');
  });

  it('shows the error, not an empty list, when loading fails', async () => {
    httpTesting.expectOne('/api/groups').error(new ProgressEvent('error'));
    await fixture.whenStable();
    expect(element().querySelector('[role="alert"]')?.textContent).toContain('Cannot reach the API');
    expect(element().textContent).not.toContain('No groups yet');
  });
});
