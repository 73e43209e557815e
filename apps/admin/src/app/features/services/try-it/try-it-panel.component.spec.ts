import { provideHttpClient } from '@angular/common/http';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { UserRole } from '@mcp-proxy/shared/dto';
import { AUTH_CLOCK } from '../../../core/auth/auth.tokens';
import { buttonByText, fieldByLabel, typeInto } from '../../../testing/dom';
import { createTestClock, loginView, seedSession, serviceView } from '../../../testing/fixtures';
import { MCP_FETCH, TryItPanelComponent } from './try-it-panel.component';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: { id?: number; method?: string; params?: Record<string, unknown> } | null;
}

const TOOLS = [
  {
    name: 'echo',
    description: 'Echoes back the input string',
    inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'Message to echo' } }, required: ['message'] },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'get-sum',
    description: 'Returns the sum of two numbers',
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  },
  { name: 'get-tiny-image', description: 'Returns a tiny image', inputSchema: { type: 'object', properties: {} } },
];

/** A scripted MCP server behind the proxy: answers by JSON-RPC method. */
function mcpServer(): { fetch: typeof fetch; seen: Seen[]; failNextWith: (response: Response) => void } {
  const seen: Seen[] = [];
  let failure: Response | null = null;
  const fetchFn = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    seen.push({ method: init?.method ?? 'GET', url: String(url), headers, body });
    if (failure) {
      const response = failure;
      failure = null;
      return response;
    }
    if (init?.method === 'DELETE') return new Response(null, { status: 204 });
    const reply = (result: unknown, extra: Record<string, string> = {}): Response =>
      new Response(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }), { headers: { 'content-type': 'application/json', ...extra } });
    switch (body?.method) {
      case 'initialize':
        return reply(
          {
            protocolVersion: '2025-06-18',
            capabilities: { tools: {} },
            serverInfo: { name: 'everything', title: 'Everything', version: '2.0.0' },
          },
          { 'mcp-session-id': 's-1' },
        );
      case 'notifications/initialized':
        return new Response(null, { status: 202 });
      case 'tools/list':
        return reply({ tools: TOOLS });
      case 'tools/call': {
        const params = body.params as { name: string; arguments: Record<string, unknown> };
        if (params.name === 'echo') {
          // Streamed, with progress first, like a call that asked for progress.
          const events = [
            { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'x', progress: 1, total: 1 } },
            { jsonrpc: '2.0', id: body.id, result: { content: [{ type: 'text', text: `Echo: ${params.arguments['message']}` }] } },
          ];
          return new Response(events.map((event) => `event: message\ndata: ${JSON.stringify(event)}\n\n`).join(''), {
            headers: { 'content-type': 'text/event-stream' },
          });
        }
        if (params.name === 'get-sum') {
          const { a, b } = params.arguments as { a: number; b: number };
          return reply({ content: [{ type: 'text', text: `The sum of ${a} and ${b} is ${a + b}.` }], structuredContent: { sum: a + b } });
        }
        return reply({
          content: [
            { type: 'text', text: 'Here is the image:' },
            { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
          ],
        });
      }
      default:
        return new Response('{}', { status: 400 });
    }
  }) as typeof fetch;
  return { fetch: fetchFn, seen, failNextWith: (response) => (failure = response) };
}

describe('TryItPanelComponent', () => {
  let fixture: ComponentFixture<TryItPanelComponent>;
  let server: ReturnType<typeof mcpServer>;

  /** The panel for a portal session of this role (the API key's session is `admin`). */
  async function mount(role: UserRole = 'admin', autoConnect = false): Promise<void> {
    TestBed.resetTestingModule();
    sessionStorage.clear();
    seedSession(loginView({ token: 'ui-session-token', role }));
    server = mcpServer();
    TestBed.configureTestingModule({
      imports: [TryItPanelComponent],
      providers: [
        provideHttpClient(),
        { provide: AUTH_CLOCK, useValue: createTestClock().now },
        { provide: MCP_FETCH, useValue: server.fetch },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    fixture = TestBed.createComponent(TryItPanelComponent);
    fixture.componentRef.setInput('autoConnect', autoConnect);
    fixture.componentRef.setInput('service', serviceView({ name: 'everything', status: 'running' }));
    await fixture.whenStable();
  }

  beforeEach(() => mount());

  afterEach(() => sessionStorage.clear());

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await fixture.whenStable();
    }
  }

  async function connect(): Promise<void> {
    buttonByText(element(), 'Connect').click();
    await settle();
  }

  function tool(name: string): HTMLButtonElement {
    const button = [...element().querySelectorAll('nav[aria-label="Tools"] button')].find(
      (candidate) => candidate.querySelector('.tool-name')?.textContent?.trim() === name,
    );
    if (!button) throw new Error(`no tool ${name}`);
    return button as HTMLButtonElement;
  }

  it('connects through the proxy path with the session token and lists the tools', async () => {
    await connect();

    expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/mcp/everything', body: { method: 'initialize' } });
    expect(server.seen[0]?.headers['authorization']).toBe('Bearer ui-session-token');
    expect(server.seen[1]?.body?.method).toBe('notifications/initialized');
    expect(server.seen[2]?.headers['mcp-session-id']).toBe('s-1');
    expect(element().querySelector('.server')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Connected to Everything 2.0.0 · protocol 2025-06-18 · 3 tools',
    );
    const names = [...element().querySelectorAll('.tool-name')].map((item) => item.textContent?.trim());
    expect(names).toEqual(['echo', 'get-sum', 'get-tiny-image']);
  });

  it('connects on its own when the service runs, offering sampling, elicitation and roots', async () => {
    await mount('admin', true);
    await settle();
    expect(server.seen[0]?.body).toMatchObject({
      method: 'initialize',
      params: { capabilities: { roots: { listChanged: false }, sampling: {}, elicitation: {} } },
    });
    expect(element().querySelector('.server')?.textContent).toContain('Connected to Everything');
  });

  it('calls a tool with the generated form and shows the streamed text result', async () => {
    await connect();
    tool('echo').click();
    await settle();

    typeInto(fieldByLabel(element(), 'message'), 'hello');
    buttonByText(element(), 'Call echo').click();
    await settle();

    const call = server.seen.find((item) => item.body?.method === 'tools/call');
    expect(call?.body?.params).toMatchObject({ name: 'echo', arguments: { message: 'hello' } });
    expect(element().querySelector('mcp-tool-result pre[data-kind="text"]')?.textContent).toBe('Echo: hello');
  });

  it('refuses to call while a required field is empty, and says which', async () => {
    await connect();
    tool('get-sum').click();
    await settle();
    typeInto(fieldByLabel(element(), 'a'), '2');
    typeInto(fieldByLabel(element(), 'b'), 'two');
    buttonByText(element(), 'Call get-sum').click();
    await settle();

    expect(server.seen.some((item) => item.body?.method === 'tools/call')).toBe(false);
    expect(element().querySelector('.field-error')?.textContent?.trim()).toBe('Not a number');

    typeInto(fieldByLabel(element(), 'b'), '3');
    buttonByText(element(), 'Call get-sum').click();
    await settle();
    expect(server.seen.find((item) => item.body?.method === 'tools/call')?.body?.params).toMatchObject({ arguments: { a: 2, b: 3 } });
    expect(element().querySelector('pre[data-kind="structured"]')?.textContent).toContain('"sum": 5');
  });

  it('takes the arguments as JSON when asked', async () => {
    await connect();
    tool('echo').click();
    await settle();
    typeInto(fieldByLabel(element(), 'message'), 'from the form');
    (element().querySelector('mat-slide-toggle button') as HTMLButtonElement).click();
    await settle();

    const json = fieldByLabel(element(), 'Arguments (JSON)');
    expect(JSON.parse(json.value)).toEqual({ message: 'from the form' });
    typeInto(json, '{"message": "typed as JSON"}');
    buttonByText(element(), 'Call echo').click();
    await settle();
    expect(element().querySelector('pre[data-kind="text"]')?.textContent).toBe('Echo: typed as JSON');
  });

  it('shows an image result as a data URL', async () => {
    await connect();
    tool('get-tiny-image').click();
    await settle();
    expect(element().textContent).toContain('This tool takes no arguments.');
    buttonByText(element(), 'Call get-tiny-image').click();
    await settle();
    const image = element().querySelector('mcp-tool-result img') as HTMLImageElement;
    expect(image.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
  });

  it('says why the proxy refused the connection', async () => {
    server.failNextWith(
      new Response(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Service "everything" is stopped' } }), {
        status: 503,
        headers: { 'content-type': 'application/json' },
      }),
    );
    await connect();
    expect(element().querySelector('[role="alert"]')?.textContent).toContain('HTTP 503: Service "everything" is stopped');
    expect(buttonByText(element(), 'Connect')).toBeTruthy();
  });

  it('warns when the service is not running', async () => {
    fixture.componentRef.setInput('service', serviceView({ name: 'everything', status: 'stopped' }));
    await fixture.whenStable();
    expect(element().textContent).toContain('The service is stopped: start it first');
  });

  it('ends the MCP session when disconnecting', async () => {
    await connect();
    buttonByText(element(), 'Disconnect').click();
    await settle();
    expect(server.seen.at(-1)).toMatchObject({ method: 'DELETE', headers: { 'mcp-session-id': 's-1' } });
    expect(buttonByText(element(), 'Connect')).toBeTruthy();
  });

  it('lets a viewer list the tools but not call one, and says why on the page', async () => {
    await mount('viewer');
    await connect();
    expect([...element().querySelectorAll('.tool-name')].map((item) => item.textContent?.trim())).toEqual([
      'echo',
      'get-sum',
      'get-tiny-image',
    ]);
    tool('get-tiny-image').click();
    await settle();

    const call = buttonByText(element(), 'Call get-tiny-image');
    expect(call.disabled).toBe(true);
    const reason = element().querySelector(`#${call.getAttribute('aria-describedby')}`);
    expect(reason?.textContent?.trim()).toBe('Viewers may list tools but not call them: ask an operator, or use a client token.');
    (element().querySelector('form') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await settle();
    expect(server.seen.some((item) => item.body?.method === 'tools/call')).toBe(false);
  });

  it('lets an operator call as before, with no such note', async () => {
    await mount('operator');
    await connect();
    tool('get-tiny-image').click();
    await settle();
    const call = buttonByText(element(), 'Call get-tiny-image');
    expect(call.disabled).toBe(false);
    expect(call.getAttribute('aria-describedby')).toBeNull();
    expect(element().textContent).not.toContain('Viewers may list tools');
  });
});
