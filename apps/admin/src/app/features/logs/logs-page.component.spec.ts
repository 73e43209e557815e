import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { ServiceLogLineView } from '@mcp-proxy/shared/dto';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { AUTH_CLOCK } from '../../core/auth/auth.tokens';
import { buttonByText, fieldByLabel, typeInto } from '../../testing/dom';
import { FakeLiveSocket, provideFakeLive } from '../../testing/fake-live-socket';
import { createTestClock, seedSession, serviceView } from '../../testing/fixtures';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { LogsPageComponent } from './logs-page.component';

function readBlob(blob: Blob | null): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!blob) return reject(new Error('nothing was saved'));
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

function line(text: string, level: ServiceLogLineView['level'] = 'info'): ServiceLogLineView {
  return { serviceId: 's1', serviceName: 'everything', time: '2026-01-01T00:00:00.000Z', stream: 'stderr', level, text };
}

describe('LogsPageComponent', () => {
  let harness: RouterTestingHarness;
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
        provideRouter([{ path: 'logs', component: LogsPageComponent }]),
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
  });

  function page(): HTMLElement {
    return harness.routeNativeElement as HTMLElement;
  }

  function texts(): string[] {
    return [...page().querySelectorAll('.line .text')].map((item) => item.textContent ?? '');
  }

  function statusLine(): string {
    return page().querySelector('.status-line')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  }

  async function openLog(): Promise<FakeLiveSocket> {
    await harness.navigateByUrl('/logs?service=everything');
    httpTesting.expectOne('/api/services').flush([serviceView({ name: 'everything' }), serviceView({ id: 'b', name: 'weather' })]);
    await harness.fixture.whenStable();
    const socket = live.sockets.last();
    socket.accept();
    return socket;
  }

  it('asks for a service first, and opens the one picked', async () => {
    await harness.navigateByUrl('/logs');
    httpTesting.expectOne('/api/services').flush([serviceView({ name: 'everything' })]);
    await harness.fixture.whenStable();
    expect(page().textContent).toContain('Pick a service to follow its log, or all services at once.');
    expect(live.sockets.sockets).toHaveLength(0);

    (harness.routeDebugElement?.componentInstance as { select(name: string): void }).select('everything');
    await harness.fixture.whenStable();
    expect(TestBed.inject(Router).url).toBe('/logs?service=everything');
    live.sockets.last().accept();
    expect(live.sockets.last().sent).toContainEqual({ type: 'subscribe', channel: 'logs:everything' });
  });

  it('merges every service in time order under "All services", naming the service of each line', async () => {
    await harness.navigateByUrl('/logs?view=all');
    httpTesting.expectOne('/api/services').flush([serviceView({ name: 'everything' }), serviceView({ id: 'b', name: 'weather' })]);
    await harness.fixture.whenStable();
    const socket = live.sockets.last();
    socket.accept();
    expect(socket.sent).toContainEqual({ type: 'subscribe', channel: 'logs:everything' });
    expect(socket.sent).toContainEqual({ type: 'subscribe', channel: 'logs:weather' });
    socket.receive({
      type: 'backlog',
      channel: 'logs:weather',
      lines: [{ ...line('weather up'), serviceName: 'weather', time: '2026-01-01T00:00:02.000Z' }],
    });
    socket.receive({ type: 'backlog', channel: 'logs:everything', lines: [line('everything up')] });
    await harness.fixture.whenStable();
    expect(texts()).toEqual(['everything up', 'weather up']);
    expect([...page().querySelectorAll('.line .service')].map((item) => item.textContent?.trim())).toEqual(['everything', 'weather']);
  });

  it("shows admins the proxy's own log from the server, polled", async () => {
    await harness.navigateByUrl('/logs?view=proxy');
    httpTesting.expectOne('/api/services').flush([serviceView({ name: 'everything' })]);
    await harness.fixture.whenStable();
    const request = httpTesting.expectOne((candidate) => candidate.url === '/api/logs/proxy');
    expect(request.request.params.get('tail')).toBe('1000');
    request.flush({
      capacity: 2000,
      lines: [
        { at: '2026-01-01T00:00:00.000Z', level: 'info', text: 'Proxy listening' },
        { at: '2026-01-01T00:00:01.000Z', level: 'error', text: 'Could not reach ******** upstream' },
      ],
    });
    await harness.fixture.whenStable();
    expect(texts()).toEqual(['Proxy listening', 'Could not reach ******** upstream']);
    expect(page().querySelector('mat-select')?.textContent).toContain('Proxy (its own log)');
  });

  it('shows the backlog, then follows new lines', async () => {
    const socket = await openLog();
    expect(statusLine()).toBe('Waiting for the log…');

    socket.receive({
      type: 'backlog',
      channel: 'logs:everything',
      lines: [line('started, pid 42'), line('Starting default (STDIO) server...')],
    });
    socket.receive({ type: 'log', channel: 'logs:everything', line: line('tool called') });
    await harness.fixture.whenStable();

    expect(texts()).toEqual(['started, pid 42', 'Starting default (STDIO) server...', 'tool called']);
    expect(statusLine()).toBe('Showing 3 of 3 lines');
  });

  it('says so when the log is empty', async () => {
    const socket = await openLog();
    socket.receive({ type: 'backlog', channel: 'logs:everything', lines: [] });
    await harness.fixture.whenStable();
    expect(page().textContent).toContain('Nothing logged yet.');
  });

  it('filters by text and by level', async () => {
    const socket = await openLog();
    socket.receive({
      type: 'backlog',
      channel: 'logs:everything',
      lines: [line('Server started'), line('Slow reply', 'warn'), line('Crash: boom', 'error')],
    });
    await harness.fixture.whenStable();

    typeInto(fieldByLabel(page(), 'Search'), 'STARTED');
    await harness.fixture.whenStable();
    expect(texts()).toEqual(['Server started']);
    expect(statusLine()).toBe('Showing 1 of 3 lines');

    typeInto(fieldByLabel(page(), 'Search'), '');
    const info = [...page().querySelectorAll('mat-button-toggle button')].find(
      (button) => button.textContent?.trim() === 'info',
    ) as HTMLButtonElement;
    info.click();
    await harness.fixture.whenStable();
    expect(texts()).toEqual(['Slow reply', 'Crash: boom']);

    typeInto(fieldByLabel(page(), 'Search'), 'nothing like this');
    await harness.fixture.whenStable();
    expect(page().textContent).toContain('No line matches the filter.');
  });

  it('freezes the view while paused and counts what arrives meanwhile', async () => {
    const socket = await openLog();
    socket.receive({ type: 'backlog', channel: 'logs:everything', lines: [line('one')] });
    await harness.fixture.whenStable();

    buttonByText(page(), 'Pause').click();
    socket.receive({ type: 'log', channel: 'logs:everything', line: line('two') });
    socket.receive({ type: 'log', channel: 'logs:everything', line: line('three') });
    await harness.fixture.whenStable();
    expect(texts()).toEqual(['one']);
    expect(statusLine()).toBe('Showing 1 of 1 lines · paused, 2 new lines since');

    buttonByText(page(), 'Resume').click();
    await harness.fixture.whenStable();
    expect(texts()).toEqual(['one', 'two', 'three']);
  });

  it('replaces the lines with the new backlog after a reconnect instead of repeating them', async () => {
    const socket = await openLog();
    socket.receive({ type: 'backlog', channel: 'logs:everything', lines: [line('one')] });
    socket.drop();
    await harness.fixture.whenStable();
    expect(page().textContent).toContain('reconnecting');

    TestBed.inject(LiveSocketService).reconnectNow();
    const again = live.sockets.last();
    expect(again).not.toBe(socket);
    again.accept();
    expect(again.sent).toContainEqual({ type: 'subscribe', channel: 'logs:everything' });
    again.receive({ type: 'backlog', channel: 'logs:everything', lines: [line('one'), line('two')] });
    await harness.fixture.whenStable();
    expect(texts()).toEqual(['one', 'two']);
  });

  it('shows a channel error, such as an unknown service', async () => {
    const socket = await openLog();
    socket.receive({ type: 'error', channel: 'logs:everything', message: 'service "everything" not found' });
    await harness.fixture.whenStable();
    expect(page().querySelector('[role="alert"]')?.textContent).toContain('service "everything" not found');
  });

  it('stops following when the user scrolls up, until "Jump to latest"', async () => {
    const socket = await openLog();
    socket.receive({ type: 'backlog', channel: 'logs:everything', lines: [line('one'), line('two')] });
    await harness.fixture.whenStable();

    const viewport = page().querySelector('.viewport') as HTMLElement;
    Object.defineProperty(viewport, 'scrollHeight', { configurable: true, value: 1000 });
    Object.defineProperty(viewport, 'clientHeight', { configurable: true, value: 200 });
    viewport.scrollTop = 300;
    viewport.dispatchEvent(new Event('scroll'));
    await harness.fixture.whenStable();

    socket.receive({ type: 'log', channel: 'logs:everything', line: line('three') });
    await harness.fixture.whenStable();
    expect(viewport.scrollTop).toBe(300);

    buttonByText(page(), 'Jump to latest').click();
    await harness.fixture.whenStable();
    expect(viewport.scrollTop).toBe(1000);
    expect([...page().querySelectorAll('button')].some((button) => button.textContent?.trim() === 'Jump to latest')).toBe(false);
  });

  it('downloads every line kept as a .log file', async () => {
    const socket = await openLog();
    socket.receive({ type: 'backlog', channel: 'logs:everything', lines: [line('one'), line('two', 'error')] });
    await harness.fixture.whenStable();

    let saved: Blob | null = null;
    let fileName = '';
    const createObjectURL = vi.fn((blob: Blob) => {
      saved = blob;
      return 'blob:log';
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      fileName = this.download;
    });

    typeInto(fieldByLabel(page(), 'Search'), 'one');
    buttonByText(page(), 'Download .log').click();

    expect(click).toHaveBeenCalled();
    expect(fileName).toMatch(/^everything-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.log$/);
    expect(await readBlob(saved)).toBe('2026-01-01T00:00:00.000Z INFO  [stderr] one\n2026-01-01T00:00:00.000Z ERROR [stderr] two\n');
    click.mockRestore();
  });
});
