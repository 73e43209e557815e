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
import { EMPTY, map, switchMap, tap } from 'rxjs';
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

/** How close to the bottom (px) still counts as "at the bottom": following resumes there. */
const FOLLOW_THRESHOLD_PX = 24;

/** A service's log, live: the backlog, then every line as it is written. */
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
  protected readonly selected = toSignal(this.route.queryParamMap.pipe(map((params) => params.get('service'))), {
    initialValue: null,
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
    toObservable(this.selected)
      .pipe(
        tap(() => {
          this.buffer.set(EMPTY_LOG_BUFFER);
          this.frozen.set(null);
          this.channelError.set(null);
          this.following.set(true);
        }),
        switchMap((service) => (service ? this.live.logs(service) : EMPTY)),
        takeUntilDestroyed(),
      )
      .subscribe((event) => {
        if (event.kind === 'error') this.channelError.set(event.message);
        else this.buffer.update((buffer) => applyLogEvent(buffer, event));
      });

    // Keep the newest line in view while following.
    afterRenderEffect({
      write: () => {
        this.shown();
        const viewport = this.viewport()?.nativeElement;
        if (viewport && this.following()) viewport.scrollTop = viewport.scrollHeight;
      },
    });
  }

  protected select(service: string): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { service }, replaceUrl: true });
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
    const service = this.selected();
    if (!service) return;
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
