import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  InjectionToken,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { ErrorStateMatcher } from '@angular/material/core';
import { MAT_FORM_FIELD_DEFAULT_OPTIONS, MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { AuthService } from '../../../core/auth/auth.service';
import { McpHttpClient, McpRpcError, ServerRequest } from './mcp-http-client';
import type { CallToolResult, InitializeResult, JsonRpcNotification, McpTool, ProgressParams } from './mcp-types';
import { ToolField, ToolFieldValue, buildArguments, enumKey, initialValue, parseArgumentsJson, planToolForm } from './tool-form';
import { ServerRequestAnswer, ServerRequestComponent } from './server-request.component';
import { ToolResultComponent } from './tool-result.component';

/** The fetch the panel's MCP client uses; tests replace it with a scripted server. */
export const MCP_FETCH = new InjectionToken<typeof fetch>('MCP_FETCH', {
  providedIn: 'root',
  factory: () => globalThis.fetch.bind(globalThis),
});

type PanelState = 'idle' | 'connecting' | 'ready' | 'failed';

/** What the panel talks to: a service, or a group (always "running": its members answer). */
export interface TryItTarget {
  name: string;
  status: string;
  proxy: { path: string };
}

/** What the panel offers the server: it answers sampling and elicitation through the person using it, and roots with none. */
const CLIENT_CAPABILITIES = { roots: { listChanged: false }, sampling: {}, elicitation: {} };

interface PendingRequest {
  request: ServerRequest;
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

interface Progress {
  progress: number;
  total: number | null;
  message: string | null;
}

interface CallOutcome {
  tool: string;
  result: CallToolResult;
  durationMs: number;
}

/**
 * Talks to the service (or group) through the proxy the way a remote MCP client does (Streamable
 * HTTP, with the portal's session token as bearer): connects on its own once it runs, lists the tools,
 * calls one with a form built from its input schema, shows its progress and what it returns, and
 * answers the server's requests meanwhile (elicitation and sampling by the user, roots with none).
 */
@Component({
  selector: 'mcp-try-it-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSlideToggleModule,
    ServerRequestComponent,
    ToolResultComponent,
  ],
  providers: [
    { provide: MAT_FORM_FIELD_DEFAULT_OPTIONS, useValue: { appearance: 'outline', subscriptSizing: 'dynamic' } },
    // The panel checks arguments itself and shows its own messages under each field.
    { provide: ErrorStateMatcher, useValue: { isErrorState: () => false } },
  ],
  templateUrl: './try-it-panel.component.html',
  styleUrl: './try-it-panel.component.scss',
})
export class TryItPanelComponent {
  private readonly auth = inject(AuthService);
  private readonly fetch = inject(MCP_FETCH);

  readonly service = input.required<TryItTarget>();
  /** Connect as soon as the service runs (tests that drive the connection themselves turn it off). */
  readonly autoConnect = input(true);

  protected readonly state = signal<PanelState>('idle');
  protected readonly connectError = signal<string | null>(null);
  protected readonly server = signal<InitializeResult | null>(null);
  protected readonly tools = signal<McpTool[]>([]);
  protected readonly toolFilter = signal('');
  protected readonly selected = signal<McpTool | null>(null);
  protected readonly plan = computed(() => planToolForm(this.selected()?.inputSchema));
  protected readonly jsonMode = signal(false);
  protected readonly fieldErrors = signal<Record<string, string>>({});
  protected readonly calling = signal(false);
  protected readonly progress = signal<Progress | null>(null);
  /** Server requests waiting for the user, oldest first. */
  protected readonly pending = signal<PendingRequest[]>([]);
  protected readonly outcome = signal<CallOutcome | null>(null);
  protected readonly callError = signal<string | null>(null);

  protected form = new FormGroup<Record<string, FormControl<ToolFieldValue>>>({});
  protected readonly jsonText = new FormControl('{}', { nonNullable: true });
  protected readonly enumKey = enumKey;

  protected readonly shownTools = computed(() => {
    const query = this.toolFilter().trim().toLowerCase();
    return this.tools().filter(
      (tool) => !query || tool.name.toLowerCase().includes(query) || (tool.title ?? '').toLowerCase().includes(query),
    );
  });
  protected readonly running = computed(() => this.service().status === 'running');
  /** A viewer may list the tools but not call them: the proxy refuses the call, so the panel does not offer it. */
  protected readonly mayCall = computed(() => this.auth.allows('operator'));

  private client: McpHttpClient | null = null;
  private callAbort: AbortController | null = null;

  private autoConnected = false;

  constructor() {
    // Leaving the page (a reload, another site, a closed tab) destroys no component: the session ends here too.
    const onPageHide = (): void => void this.client?.close();
    window.addEventListener('pagehide', onPageHide);
    inject(DestroyRef).onDestroy(() => {
      window.removeEventListener('pagehide', onPageHide);
      this.callAbort?.abort();
      this.dropPending();
      void this.client?.close();
    });
    effect(() => {
      if (!this.autoConnect() || !this.running() || this.autoConnected) return;
      this.autoConnected = true;
      untracked(() => void this.connect());
    });
  }

  /** The user's answer to the oldest server request. */
  protected answer(answer: ServerRequestAnswer): void {
    const [first, ...rest] = this.pending();
    if (!first) return;
    this.pending.set(rest);
    if ('result' in answer) first.resolve(answer.result);
    else first.reject(new McpRpcError(-1, answer.refuse));
  }

  protected async connect(): Promise<void> {
    await this.disconnect();
    this.state.set('connecting');
    this.connectError.set(null);
    const client = new McpHttpClient({
      url: this.service().proxy.path,
      token: () => this.auth.token(),
      fetch: this.fetch,
      onNotification: (notification) => this.onNotification(notification),
      onRequest: (request) => this.onRequest(request),
      capabilities: CLIENT_CAPABILITIES,
    });
    this.client = client;
    try {
      const server = await client.connect();
      const tools = await client.listTools();
      if (this.client !== client) return;
      this.server.set(server);
      this.tools.set(tools);
      this.state.set('ready');
    } catch (error) {
      if (this.client !== client) return;
      this.client = null;
      this.connectError.set(describeMcpError(error));
      this.state.set('failed');
    }
  }

  protected async disconnect(): Promise<void> {
    this.callAbort?.abort();
    this.dropPending();
    const client = this.client;
    this.client = null;
    this.server.set(null);
    this.tools.set([]);
    this.select(null);
    this.state.set('idle');
    await client?.close();
  }

  protected select(tool: McpTool | null): void {
    this.selected.set(tool);
    this.outcome.set(null);
    this.callError.set(null);
    this.fieldErrors.set({});
    this.progress.set(null);
    const plan = planToolForm(tool?.inputSchema);
    const controls: Record<string, FormControl<ToolFieldValue>> = {};
    for (const field of plan.fields) controls[field.name] = new FormControl(initialValue(field), { nonNullable: true });
    this.form = new FormGroup(controls);
    this.jsonMode.set(plan.jsonOnly);
    this.jsonText.setValue('{}');
  }

  protected control(field: ToolField): FormControl<ToolFieldValue> {
    const control = this.form.controls[field.name];
    if (!control) throw new Error(`no control for ${field.name}`);
    return control;
  }

  protected textControl(field: ToolField): FormControl<string> {
    return this.control(field) as unknown as FormControl<string>;
  }

  protected booleanControl(field: ToolField): FormControl<boolean> {
    return this.control(field) as unknown as FormControl<boolean>;
  }

  /** Switching to JSON carries over what the form holds (when it is valid). */
  protected setJsonMode(on: boolean): void {
    if (on) {
      const built = buildArguments(this.plan().fields, this.form.getRawValue());
      this.jsonText.setValue(JSON.stringify(built.ok ? built.arguments : {}, null, 2));
    }
    this.fieldErrors.set({});
    this.jsonMode.set(on);
  }

  protected async call(): Promise<void> {
    const tool = this.selected();
    const client = this.client;
    if (!tool || !client || this.calling() || !this.mayCall()) return;
    const built = this.jsonMode() ? parseArgumentsJson(this.jsonText.value) : buildArguments(this.plan().fields, this.form.getRawValue());
    if (!built.ok) {
      this.fieldErrors.set(built.errors);
      return;
    }
    this.fieldErrors.set({});
    this.callError.set(null);
    this.outcome.set(null);
    this.progress.set(null);
    this.calling.set(true);
    const abort = new AbortController();
    this.callAbort = abort;
    const started = performance.now();
    try {
      const result = await client.callTool(tool.name, built.arguments, abort.signal);
      if (this.selected() === tool) {
        this.outcome.set({ tool: tool.name, result, durationMs: Math.round(performance.now() - started) });
      }
    } catch (error) {
      if (!abort.signal.aborted) this.callError.set(describeMcpError(error));
      if (client.session === null && this.client === client) {
        this.client = null;
        this.state.set('failed');
        this.connectError.set(describeMcpError(error));
      }
    } finally {
      if (this.callAbort === abort) this.callAbort = null;
      this.calling.set(false);
      this.progress.set(null);
    }
  }

  protected cancelCall(): void {
    this.callAbort?.abort();
    this.dropPending();
  }

  protected progressPercent(progress: Progress): number {
    return progress.total ? Math.min(100, (progress.progress / progress.total) * 100) : 0;
  }

  private onRequest(request: ServerRequest): Promise<Record<string, unknown>> {
    if (request.method === 'roots/list') return Promise.resolve({ roots: [] });
    if (request.method !== 'elicitation/create' && request.method !== 'sampling/createMessage')
      return Promise.reject(new McpRpcError(-32601, `The "Try it" client does not handle ${request.method}`));
    return new Promise((resolve, reject) => this.pending.update((queue) => [...queue, { request, resolve, reject }]));
  }

  private dropPending(): void {
    for (const item of this.pending()) item.reject(new McpRpcError(-1, 'The user closed the request'));
    this.pending.set([]);
  }

  protected onFilter(event: Event): void {
    this.toolFilter.set((event.target as HTMLInputElement).value);
  }

  private onNotification(notification: JsonRpcNotification): void {
    if (notification.method !== 'notifications/progress' || !this.calling()) return;
    const params = notification.params as ProgressParams | undefined;
    if (!params) return;
    this.progress.set({ progress: params.progress, total: params.total ?? null, message: params.message ?? null });
  }
}

function describeMcpError(error: unknown): string {
  if (error instanceof McpRpcError) return `${error.message} (JSON-RPC error ${error.code})`;
  if (error instanceof Error) return error.message;
  return 'Unexpected error';
}
