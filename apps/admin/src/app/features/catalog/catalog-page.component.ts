import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import type { RegistryInstallView, RegistryServerView, RegistryStatusView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { IfRoleDirective } from '../../core/auth/if-role.directive';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { CatalogApiService, InstallResultView } from './catalog-api.service';
import { InstallDialogComponent, InstallDialogData } from './install-dialog.component';
import { TemplateGalleryComponent } from './template-gallery.component';

/**
 * Ready templates and "Paste a client config" first (the quickest way to a server), then the MCP Registry as a searchable catalog (name, description, version, runtime, variables, remotes), with
 * an install dialog, and the services installed from it: update available, Update and Rollback.
 */
@Component({
  selector: 'mcp-catalog-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    FormsModule,
    IfRoleDirective,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    RouterLink,
    StatusChipComponent,
    TemplateGalleryComponent,
  ],
  templateUrl: './catalog-page.component.html',
  styleUrl: './catalog-page.component.scss',
})
export class CatalogPageComponent {
  private readonly api = inject(CatalogApiService);
  private readonly dialog = inject(MatDialog);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly status = signal<RegistryStatusView | null>(null);
  protected readonly servers = signal<RegistryServerView[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly installs = signal<RegistryInstallView[]>([]);
  protected readonly search = signal('');
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  /** The service whose update or rollback is under way. */
  protected readonly busyService = signal<string | null>(null);

  constructor() {
    this.api
      .status()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (status) => {
          this.status.set(status);
          if (status.enabled) this.load(true);
          this.loadInstalls();
        },
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  /** A new search (`reset`) or the next page of the current one ("Load more"). */
  protected load(reset: boolean): void {
    this.loading.set(true);
    this.error.set(null);
    this.api
      .servers(this.search(), reset ? null : this.nextCursor())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) => {
          this.servers.set(reset ? page.servers : [...this.servers(), ...page.servers]);
          this.nextCursor.set(page.nextCursor);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected loadInstalls(): void {
    this.api
      .installs()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: (installs) => this.installs.set(installs), error: (error: unknown) => this.error.set(describeHttpError(error)) });
  }

  protected openInstall(server: RegistryServerView): void {
    this.dialog
      .open<InstallDialogComponent, InstallDialogData, InstallResultView>(InstallDialogComponent, {
        data: { server },
        width: '640px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((result) => {
        if (!result) return;
        this.notice.set(`Installed ${result.install.server} ${result.install.version} as "${result.service.name}".`);
        this.loadInstalls();
        this.load(true);
      });
  }

  protected update(install: RegistryInstallView): void {
    this.act(install, this.api.update(install.serviceName), (result) => `Updated "${result.service.name}" to ${result.install.version}.`);
  }

  protected rollback(install: RegistryInstallView): void {
    this.act(install, this.api.rollback(install.serviceName), (result) => `"${result.service.name}" is back on ${result.install.version}.`);
  }

  protected runtimes(server: RegistryServerView): string {
    return [
      ...new Set(
        server.options.map((option) => (option.kind === 'remote' ? `remote (${option.transport})` : (option.runtime ?? option.kind))),
      ),
    ].join(', ');
  }

  protected variableNames(server: RegistryServerView): string {
    const names = new Set(
      server.options.flatMap((option) => option.fields.filter((field) => field.kind === 'environment').map((field) => field.label)),
    );
    return [...names].join(', ');
  }

  protected remotes(server: RegistryServerView): string[] {
    return server.options.filter((option) => option.kind === 'remote').map((option) => option.identifier);
  }

  protected installable(server: RegistryServerView): boolean {
    return server.options.some((option) => option.installable);
  }

  protected notInstallableReasons(server: RegistryServerView): string {
    return server.options
      .map((option) => option.reason)
      .filter((reason) => reason !== null)
      .join('; ');
  }

  private act(
    install: RegistryInstallView,
    request: ReturnType<CatalogApiService['update']>,
    done: (result: InstallResultView) => string,
  ): void {
    this.busyService.set(install.serviceName);
    this.error.set(null);
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (result) => {
        this.notice.set(done(result));
        this.busyService.set(null);
        this.loadInstalls();
      },
      error: (error: unknown) => {
        this.error.set(describeHttpError(error));
        this.busyService.set(null);
      },
    });
  }
}
