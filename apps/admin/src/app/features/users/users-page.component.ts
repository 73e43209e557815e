import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import type { ServiceView, UserRole, UserView } from '@mcp-proxy/shared/dto';
import { filter, switchMap } from 'rxjs';
import { apiErrorMessages, describeHttpError } from '../../core/api/api-error';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/ui/confirm-dialog/confirm-dialog.component';
import { SessionsPanelComponent } from '../account/sessions-panel.component';
import { ServicesApiService } from '../services/services-api.service';
import { UsersApiService } from './users-api.service';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';

/** Same rules as the API (`PASSWORD_MIN_LENGTH`, `USER_ROLES`), written out so the bundle imports no validators. */
const PASSWORD_MIN = 12;
const ROLES: readonly UserRole[] = ['admin', 'operator', 'viewer'];

/** What each role may do, shown beside the role picker. */
export const ROLE_DESCRIPTIONS: Record<UserRole, string> = {
  admin: 'everything, secrets and users included',
  operator: 'start, stop, restart, deploy and read logs; no secrets',
  viewer: 'read only',
};

/** Names of the services a user is limited to, or "All services". */
export function serviceScopeLabel(user: Pick<UserView, 'services'>, services: readonly ServiceView[]): string {
  if (!user.services) return 'All services';
  const names = user.services.map((id) => services.find((service) => service.id === id)?.name ?? id);
  return names.length > 0 ? names.join(', ') : 'None';
}

/** Admins: create users with a role (and optionally a set of services), change roles, delete. */
@Component({
  selector: 'mcp-users-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    SessionsPanelComponent,
  ],
  templateUrl: './users-page.component.html',
  styleUrl: './users-page.component.scss',
})
export class UsersPageComponent {
  private readonly api = inject(UsersApiService);
  private readonly servicesApi = inject(ServicesApiService);
  private readonly dialog = inject(MatDialog);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  protected readonly roles = ROLES;
  protected readonly roleDescriptions = ROLE_DESCRIPTIONS;
  protected readonly columns = ['username', 'role', 'services', 'lastLoginAt', 'actions'] as const;
  protected readonly users = signal<UserView[] | null>(null);
  protected readonly services = signal<ServiceView[]>([]);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly formErrors = signal<string[]>([]);
  protected readonly saving = signal(false);
  /** The user whose sessions are shown below the table. */
  protected readonly sessionsOf = signal<UserView | null>(null);
  protected readonly scopeLabel = serviceScopeLabel;

  protected readonly form = new FormGroup({
    username: new FormControl('', {
      nonNullable: true,
      validators: [Validators.required, Validators.pattern(/^[a-z0-9][a-z0-9._@-]{1,63}$/)],
    }),
    password: new FormControl('', {
      nonNullable: true,
      validators: [Validators.required, Validators.minLength(PASSWORD_MIN)],
    }),
    role: new FormControl<UserRole>('viewer', { nonNullable: true }),
    services: new FormControl<string[]>([], { nonNullable: true }),
  });

  constructor() {
    this.load();
    this.servicesApi
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (services) => this.services.set(services),
        error: () => this.services.set([]),
      });
  }

  protected load(): void {
    this.loading.set(true);
    this.error.set(null);
    this.api
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (users) => {
          this.users.set(users);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected create(): void {
    if (this.form.invalid || this.saving()) {
      this.form.markAllAsTouched();
      return;
    }
    const { username, password, role, services } = this.form.getRawValue();
    this.saving.set(true);
    this.formErrors.set([]);
    this.feedback
      .run(this.api.create({ username, password, role, services: services.length > 0 ? services : null }), {
        done: `Created the user ${username}`,
        failed: `Could not create the user ${username}`,
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.saving.set(false);
          this.form.reset({
            username: '',
            password: '',
            role: 'viewer',
            services: [],
          });
          this.load();
        },
        error: (error: unknown) => {
          this.saving.set(false);
          const messages = apiErrorMessages(error);
          this.formErrors.set(messages.length > 0 ? messages : [describeHttpError(error)]);
        },
      });
  }

  protected changeRole(user: UserView, role: UserRole): void {
    if (role === user.role) return;
    this.feedback
      .run(this.api.update(user.id, { role }), {
        done: `${user.username} is now ${role}`,
        failed: `Could not change the role of ${user.username}`,
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => this.load(),
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  protected showSessions(user: UserView): void {
    this.sessionsOf.set(user);
  }

  protected confirmDelete(user: UserView): void {
    const data: ConfirmDialogData = {
      title: `Delete ${user.username}?`,
      message: 'Their sessions end at once. The audit log keeps what they did.',
      confirmLabel: 'Delete',
      danger: true,
    };
    this.dialog
      .open(ConfirmDialogComponent, { data })
      .afterClosed()
      .pipe(
        filter((confirmed: unknown) => confirmed === true),
        switchMap(() =>
          this.feedback.run(this.api.remove(user.id), { done: `Deleted ${user.username}`, failed: `Could not delete ${user.username}` }),
        ),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe({
        next: () => this.load(),
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }
}
