import { DOCUMENT, DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import type { LogChannelEvent } from '../../core/live/live-socket.service';
import { EMPTY, catchError, map, merge, of, switchMap, tap, timer } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { describeHttpError } from '../../core/api/api-error';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { ServicesApiService } from '../services/services-api.service';
import {
  EMPTY_LOG_BUFFER,
  LOG_LEVELS,
  LogBuffer,
  LogLevel,
  NumberedLine,
  applyLogEvent,
  filterLines,
  logFileContent,
  logFileName,
} from './log-buffer';
import { applyMergedLogEvent, proxyLogBuffer } from './merged-logs';
import { ProxyLogApiService } from './proxy-log-api.service';

/** How often the proxy's own log is fetched again while shown (it has no live channel). */
export const PROXY_LOG_POLL_MS = 5_000;
const PROXY_LOG_TAIL = 1000;
/** Select values for the two views that are not one service (service names cannot start with `*`). */
export const ALL_SERVICES = '*all';
export const PROXY_LOG = '*proxy';

/** What the page shows: one service, every service merged, or the proxy's own log. */
type LogSource = { kind: 'service'; name: string } | { kind: 'all'; names: string[] } | { kind: 'proxy' };

/** How close to the bottom (px) still counts as "at the bottom": following resumes there. */
const FOLLOW_THRESHOLD_PX = 24;

/**
 * A service's log, live: the backlog, then every line as it is written; or every service's merged in time
 * order; or (admins) the proxy's own recent log, masked by the server.
 */
@Component({
  selector: 'mcp-logs-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    LiveIndicatorComponent,
  ],
  templateUrl: './logs-page.component.html',
  styleUrl: './logs-page.component.scss',
})
export class LogsPageComponent {
  private readonly api = inject(ServicesApiService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly document = inject(DOCUMENT);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly live = inject(LiveSocketService);

  protected readonly levels = LOG_LEVELS;
  protected readonly services = signal<ServiceView[] | null>(null);
  protected readonly servicesError = signal<string | null>(null);
  private readonly auth = inject(AuthService);
  private readonly proxyLog = inject(ProxyLogApiService);
  protected readonly isAdmin = computed(() => this.auth.allows('admin'));
  private readonly params = toSignal(this.route.queryParamMap, { initialValue: null });
  /** The select's value: a service name, ALL_SERVICES or PROXY_LOG. */
  protected readonly selected = computed<string | null>(() => {
    const params = this.params();
    const view = params?.get('view');
    if (view === 'all') return ALL_SERVICES;
    if (view === 'proxy') return PROXY_LOG;
    return params?.get('service') ?? null;
  });
  protected readonly allServices = ALL_SERVICES;
  protected readonly proxyLogValue = PROXY_LOG;
  /** The source, as a key that changes only when the lines to follow change (a status change does not resubscribe). */
  private readonly sourceKey = computed(() => {
    const selected = this.selected();
    if (selected === ALL_SERVICES) return `all:${(this.services() ?? []).map((service) => service.name).join('\n')}`;
    if (selected === PROXY_LOG) return 'proxy';
    return selected ? `service:${selected}` : '';
  });

  protected readonly buffer = signal<LogBuffer>(EMPTY_LOG_BUFFER);
  protected readonly channelError = signal<string | null>(null);
  protected readonly query = signal('');
  protected readonly activeLevels = signal<ReadonlySet<LogLevel>>(new Set(LOG_LEVELS));
  /** While paused the view is frozen at this buffer; new lines keep arriving underneath. */
  protected readonly frozen = signal<LogBuffer | null>(null);
  /** The view sticks to the newest line until the user scrolls up. */
  protected readonly following = signal(true);

  protected readonly shown = computed<NumberedLine[]>(() =>
    filterLines((this.frozen() ?? this.buffer()).lines, { query: this.query(), levels: this.activeLevels() }),
  );
  protected readonly total = computed(() => (this.frozen() ?? this.buffer()).lines.length);
  protected readonly newWhilePaused = computed(() => {
    const frozen = this.frozen();
    return frozen ? Math.max(0, this.buffer().lastSeq - frozen.lastSeq) : 0;
  });

  private readonly viewport = viewChild<ElementRef<HTMLElement>>('viewport');

  constructor() {
    this.loadServices();
    toObservable(this.sourceKey)
      .pipe(
        tap(() => {
          this.buffer.set(EMPTY_LOG_BUFFER);
          this.frozen.set(null);
          this.channelError.set(null);
          this.following.set(true);
        }),
        switchMap((key) => this.follow(sourceOf(key))),
        takeUntilDestroyed(),
      )
      .subscribe((update) => update());

    // Keep the newest line in view while following.
    afterRenderEffect({
      write: () => {
        this.shown();
        const viewport = this.viewport()?.nativeElement;
        if (viewport && this.following()) viewport.scrollTop = viewport.scrollHeight;
      },
    });
  }

  protected select(value: string): void {
    const queryParams = value === ALL_SERVICES ? { view: 'all' } : value === PROXY_LOG ? { view: 'proxy' } : { service: value };
    void this.router.navigate([], { relativeTo: this.route, queryParams, replaceUrl: true });
  }

  /** What to do with the page's buffer as each piece of the source arrives. */
  private follow(source: LogSource | null) {
    const apply = (event: LogChannelEvent, service?: string) => () => {
      if (event.kind === 'error') this.channelError.set(event.message);
      else
        this.buffer.update((buffer) =>
          service === undefined ? applyLogEvent(buffer, event) : applyMergedLogEvent(buffer, service, event),
        );
    };
    if (!source) return EMPTY;
    if (source.kind === 'service') return this.live.logs(source.name).pipe(map((event) => apply(event)));
    if (source.kind === 'all') {
      if (source.names.length === 0) return of(() => this.buffer.set({ ...EMPTY_LOG_BUFFER, loaded: true }));
      return merge(...source.names.map((name) => this.live.logs(name).pipe(map((event) => apply(event, name)))));
    }
    return timer(0, PROXY_LOG_POLL_MS).pipe(
      switchMap(() =>
        this.proxyLog.tail(PROXY_LOG_TAIL).pipe(
          map((view) => () => {
            this.channelError.set(null);
            this.buffer.set(proxyLogBuffer(view.lines));
          }),
          catchError((error: unknown) => of(() => this.channelError.set(`Could not load the proxy log: ${describeHttpError(error)}`))),
        ),
      ),
    );
  }

  protected onQuery(event: Event): void {
    this.query.set((event.target as HTMLInputElement).value);
  }

  protected setLevels(levels: LogLevel[]): void {
    this.activeLevels.set(new Set(levels));
  }

  protected togglePause(): void {
    this.frozen.set(this.frozen() ? null : this.buffer());
  }

  protected onScroll(viewport: HTMLElement): void {
    const distance = viewport.scrollHeight - viewport.scrollTop - viewport.clientHeight;
    this.following.set(distance <= FOLLOW_THRESHOLD_PX);
  }

  protected jumpToLatest(): void {
    this.following.set(true);
    const viewport = this.viewport()?.nativeElement;
    if (viewport) viewport.scrollTop = viewport.scrollHeight;
  }

  /** Saves the lines in the page (all of them, not just the filtered ones) as a .log file. */
  protected download(): void {
    const selected = this.selected();
    if (!selected) return;
    const service = selected === ALL_SERVICES ? 'all-services' : selected === PROXY_LOG ? 'proxy' : selected;
    const blob = new Blob([logFileContent(this.buffer().lines)], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = this.document.createElement('a');
    link.href = url;
    link.download = logFileName(service, new Date());
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  protected loadServices(): void {
    this.servicesError.set(null);
    this.api
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (services) => this.services.set(services),
        error: (error: unknown) => this.servicesError.set(describeHttpError(error)),
      });
  }
}

function sourceOf(key: string): LogSource | null {
  if (key === 'proxy') return { kind: 'proxy' };
  if (key.startsWith('all:')) return { kind: 'all', names: key.slice(4).split('\n').filter(Boolean) };
  if (key.startsWith('service:')) return { kind: 'service', name: key.slice(8) };
  return null;
}
