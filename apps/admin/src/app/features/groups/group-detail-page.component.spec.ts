import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { buttonByText } from '../../testing/dom';
import { provideFakeLive } from '../../testing/fake-live-socket';
import { createTestClock, groupMapping, groupView, seedSession, serviceView } from '../../testing/fixtures';
import { GroupDetailPageComponent } from './group-detail-page.component';

@Component({ template: '<p>list</p>' })
class ListStub {}

describe('GroupDetailPageComponent', () => {
  let harness: RouterTestingHarness;
  let httpTesting: HttpTestingController;
  let live: ReturnType<typeof provideFakeLive>;

  const team = groupView({
    members: [
      { serviceId: 'svc-1', serviceName: 'everything', allow: ['echo', 'get-*'], deny: [], renames: { echo: { name: 'say' } } },
      { serviceId: 'svc-2', serviceName: 'weather', allow: [], deny: [], renames: {} },
    ],
  });

  beforeEach(async () => {
    sessionStorage.clear();
    seedSession();
    live = provideFakeLive();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'groups', component: ListStub },
          { path: 'groups/:name', component: GroupDetailPageComponent },
        ]),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        ...live.providers,
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

  async function open(
    group = team,
    mapping = groupMapping({
      members: [
        { serviceId: 'svc-1', serviceName: 'everything', state: 'ok', reason: null },
        { serviceId: 'svc-2', serviceName: 'weather', state: 'unavailable', reason: 'weather is stopped' },
      ],
    }),
  ): Promise<void> {
    await harness.navigateByUrl(`/groups/${group.name}`);
    httpTesting.expectOne(`/api/groups/${group.name}`).flush(group);
    await harness.fixture.whenStable();
    if (group.enabled) httpTesting.expectOne(`/api/groups/${group.id}/tools`).flush(mapping);
    await harness.fixture.whenStable();
  }

  it('shows each member in order with its health, filters and reason', async () => {
    await open();
    const members = [...page().querySelectorAll('.member')].map((item) => [...item.children].map((child) => child.textContent?.trim()));
    expect(members).toEqual([
      ['everything', 'ok', 'allow echo, get-* · 1 renamed'],
      ['weather', 'unavailable', 'all tools and prompts', 'weather is stopped'],
    ]);
    expect(page().querySelector('[data-member="weather"] mcp-status-chip .chip')?.getAttribute('data-tone')).toBe('negative');
  });

  it('shows which exposed name stands for which member tool', async () => {
    await open();
    const tools = [...page().querySelectorAll('table[aria-label="Tools"] tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()),
    );
    expect(tools).toEqual([
      ['everything__echo', 'everything', 'echo'],
      ['everything__get-sum', 'everything', 'get-sum'],
    ]);
    expect(page().querySelector('table[aria-label="Prompts"]')?.textContent).toContain('everything__simple-prompt');
  });

  it('gives the group’s MCP URLs and client snippets on the Connect tab', async () => {
    await open();
    const tab = [...page().querySelectorAll('[role="tab"]')].find((item) => item.textContent?.trim() === 'Connect') as HTMLElement;
    tab.click();
    await harness.fixture.whenStable();
    expect(page().querySelector('pre[aria-label="MCP URL"]')?.textContent?.trim()).toBe(`${location.origin}/mcp/g/team`);
    expect(page().querySelector('pre[aria-label="WebSocket URL"]')?.textContent?.trim()).toBe(
      `${location.origin.replace(/^http/, 'ws')}/mcp/ws?group=team`,
    );
    const claude = JSON.parse(page().querySelector('pre[aria-label="Claude Desktop configuration"]')?.textContent ?? '{}');
    expect(claude.mcpServers.team.args).toContain(`${location.origin}/mcp/g/team`);
  });

  it('does not ask a disabled group for its mapping, and says why', async () => {
    await open(groupView({ enabled: false }));
    expect(page().querySelector('[role="note"]')?.textContent).toContain('This group is disabled');
    expect(page().textContent).toContain('A disabled group exposes nothing.');
  });

  it('lists the group again when a member changes state', async () => {
    await open();
    const socket = live.sockets.last();
    socket.accept();
    httpTesting.expectOne('/api/groups/team').flush(team);
    httpTesting.expectOne('/api/groups/grp-1/tools').flush(groupMapping());
    // The debounce lets a burst of changes (stop, start, running) end in one listing.
    vi.useFakeTimers();
    try {
      socket.receive({ type: 'status', channel: 'status', service: serviceView({ id: 'svc-2', name: 'weather', status: 'starting' }) });
      socket.receive({ type: 'status', channel: 'status', service: serviceView({ id: 'svc-2', name: 'weather', status: 'running' }) });
      socket.receive({ type: 'status', channel: 'status', service: serviceView({ id: 'other', name: 'other', status: 'running' }) });
      vi.advanceTimersByTime(999);
      httpTesting.expectNone('/api/groups/grp-1/tools');
      vi.advanceTimersByTime(1);
      httpTesting.expectOne('/api/groups/grp-1/tools').flush(groupMapping());
    } finally {
      vi.useRealTimers();
    }
  });

  it('deletes only after confirmation, then returns to the list', async () => {
    await open();
    buttonByText(page(), 'Delete').click();
    await harness.fixture.whenStable();
    const dialog = document.querySelector('mat-dialog-container') as HTMLElement;
    expect(dialog.textContent).toContain('Delete team?');
    expect(dialog.textContent).toContain('/mcp/g/team will get 404');
    buttonByText(dialog, 'Delete').click();
    await harness.fixture.whenStable();
    httpTesting.expectOne({ method: 'DELETE', url: '/api/groups/grp-1' }).flush(null, { status: 204, statusText: 'No Content' });
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/groups');
  });

  it('says when the group does not exist', async () => {
    await harness.navigateByUrl('/groups/nope');
    httpTesting
      .expectOne('/api/groups/nope')
      .flush({ statusCode: 404, message: 'Group "nope" not found' }, { status: 404, statusText: 'Not Found' });
    await harness.fixture.whenStable();
    expect(page().querySelector('[role="alert"]')?.textContent).toContain('Group "nope" not found (HTTP 404)');
  });
});
