import { DOCUMENT, DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { CertStatusView } from '@mcp-proxy/shared/dto';
import { filter } from 'rxjs';
import { IfRoleDirective } from '../../core/auth/if-role.directive';
import { describeHttpError } from '../../core/api/api-error';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/ui/confirm-dialog/confirm-dialog.component';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { CertsApiService } from './certs-api.service';
import { SOURCE_LABELS, VALIDITY_LABELS, VALIDITY_TONES, certValidity, countdown } from './cert-model';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';

/** While a renewal runs elsewhere (scheduled, or another admin), the status is asked again this often. */
const RENEWING_POLL_MS = 5_000;

/** The HTTPS certificate: where it comes from, what it covers, how long it is valid, its renewal and last error. */
@Component({
  selector: 'mcp-certificates-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [IfRoleDirective, DatePipe, MatButtonModule, MatProgressBarModule, StatusChipComponent],
  templateUrl: './certificates-page.component.html',
  styleUrl: './certificates-page.component.scss',
})
export class CertificatesPageComponent {
  private readonly api = inject(CertsApiService);
  private readonly dialog = inject(MatDialog);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  protected readonly status = signal<CertStatusView | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  protected readonly renewing = signal(false);
  protected readonly renewError = signal<string | null>(null);
  protected readonly renewed = signal(false);
  private readonly now = signal(Date.now());
  /** Whether this page itself came over HTTPS (the browser then also got the HSTS header). */
  protected readonly pageOverHttps = inject(DOCUMENT).defaultView?.location.protocol === 'https:';

  protected readonly validity = computed(() => {
    const status = this.status();
    return status ? certValidity(status, this.now()) : 'none';
  });
  protected readonly validityLabel = computed(() => VALIDITY_LABELS[this.validity()]);
  protected readonly validityTone = computed(() => VALIDITY_TONES[this.validity()]);
  protected readonly expiresIn = computed(() => countdown(this.status()?.notAfter ?? null, this.now()));
  protected readonly renewIn = computed(() => countdown(this.status()?.renewAt ?? null, this.now()));
  protected readonly nextCheckIn = computed(() => countdown(this.status()?.nextCheckAt ?? null, this.now()));
  protected readonly source = computed(() => {
    const serving = this.status()?.serving;
    return serving ? SOURCE_LABELS[serving] : 'nothing (TLS is off)';
  });
  protected readonly busy = computed(() => this.renewing() || this.status()?.renewing === true);

  constructor() {
    this.load();
    const timer = setInterval(() => {
      this.now.set(Date.now());
      // A renewal started elsewhere: follow it until it ends.
      if (this.status()?.renewing && !this.renewing()) this.load(false);
    }, RENEWING_POLL_MS);
    this.destroyRef.onDestroy(() => clearInterval(timer));
  }

  protected load(showProgress = true): void {
    if (showProgress) this.loading.set(true);
    this.loadError.set(null);
    this.api
      .status()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (status) => {
          this.status.set(status);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.loadError.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected confirmRenew(): void {
    const status = this.status();
    if (!status || this.busy()) return;
    const acme = status.provider === 'letsencrypt';
    const data: ConfirmDialogData = {
      title: 'Renew the certificate now?',
      message: acme
        ? `A new certificate for ${status.domain ?? 'the domain'} is ordered from ${status.directoryUrl ?? 'the ACME directory'} and swapped in ` +
          'when it is issued; open connections carry on. Certificate authorities limit how many orders a domain may place, so renew by hand only when needed.'
        : 'A new self-signed certificate is made and swapped in; open connections carry on. Clients that pinned the old one must trust the new one.',
      confirmLabel: 'Renew now',
    };
    this.dialog
      .open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, { data, width: '460px' })
      .afterClosed()
      .pipe(
        filter((confirmed) => confirmed === true),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(() => this.renew());
  }

  private renew(): void {
    this.renewing.set(true);
    this.renewError.set(null);
    this.renewed.set(false);
    this.feedback
      .run(this.api.renew(), { done: 'Certificate renewed', failed: 'Could not renew the certificate' })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (status) => {
          this.status.set(status);
          this.renewing.set(false);
          this.renewed.set(true);
        },
        error: (error: unknown) => {
          this.renewing.set(false);
          this.renewError.set(describeHttpError(error));
          // The failure is also in lastError and the retry plan: show them.
          this.load(false);
        },
      });
  }
}
