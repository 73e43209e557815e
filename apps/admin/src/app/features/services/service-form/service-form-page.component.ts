import { HttpErrorResponse, HttpStatusCode } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { ServiceTransport, ServiceView } from '@mcp-proxy/shared/dto';
import { Observable, map, startWith } from 'rxjs';
import { apiErrorMessages, describeHttpError } from '../../../core/api/api-error';
import { ActionFeedbackService } from '../../../shared/feedback/action-feedback.service';
import { ServicesApiService } from '../services-api.service';
import { RemoteAuthFieldsComponent } from './remote-auth-fields.component';
import { hasStoredSecret } from './remote-form.model';
import { ServiceAdvancedSectionsComponent } from './service-advanced-sections.component';
import { EnvironmentRowGroup, controlError, createServiceForm, environmentRowGroup } from './service-form.controls';
import {
  EnvironmentRow,
  REMOTE_PROTOCOLS,
  ISOLATION_MODES,
  ServiceFormValue,
  TRANSPORTS,
  createBodyFrom,
  emptyServiceForm,
  formValueFromService,
  placeApiErrors,
  updateBodyFrom,
  updateRestartsService,
} from './service-form.model';
import { Crumb, PageLayoutComponent } from '../../../shared/ui/page-layout/page-layout.component';

/** Create (`/services/new`) and edit (`/services/:name/edit`) a service. */
@Component({
  selector: 'mcp-service-form-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    PageLayoutComponent,
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSlideToggleModule,
    ServiceAdvancedSectionsComponent,
    RemoteAuthFieldsComponent,
  ],
  templateUrl: './service-form-page.component.html',
  styleUrl: './service-form-page.component.scss',
})
export class ServiceFormPageComponent {
  private readonly api = inject(ServicesApiService);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  /** The name from the URL when editing; null when creating. */
  protected readonly editing: string | null = inject(ActivatedRoute).snapshot.paramMap.get('name');
  protected readonly crumbs: readonly Crumb[] = this.editing
    ? [{ label: 'Services', link: '/services' }, { label: this.editing, link: ['/services', this.editing] }, { label: 'edit' }]
    : [{ label: 'Services', link: '/services' }, { label: 'new' }];
  protected readonly transports = TRANSPORTS;
  protected readonly isolationModes = ISOLATION_MODES;
  protected readonly remoteProtocols = REMOTE_PROTOCOLS;

  protected readonly form = createServiceForm();

  protected readonly original = signal<ServiceView | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  protected readonly saving = signal(false);
  /** What the API said when it refused the form. */
  protected readonly submitErrors = signal<string[]>([]);
  protected readonly environmentErrors = signal<string[]>([]);
  /**
   * `keep`: the stored variables stay as they are and are not sent. `replace`: the rows below
   * become the whole environment. Creating a service always replaces (there is nothing to keep).
   */
  protected readonly environmentMode = signal<'keep' | 'replace'>(this.editing ? 'keep' : 'replace');
  protected readonly revealed = signal<ReadonlySet<number>>(new Set());

  private readonly formValue = toSignal(
    this.form.valueChanges.pipe(
      startWith(null),
      map(() => this.form.getRawValue()),
    ),
    { requireSync: true },
  );
  protected readonly isHttp = computed(() => this.formValue().transport === 'http');
  protected readonly isRemote = computed(() => this.formValue().transport === 'remote');
  protected readonly storedClientSecret = computed(() =>
    hasStoredSecret(this.original()?.remote ?? null, this.formValue().remote.clientId),
  );
  protected readonly isSessionIsolation = computed(() => this.formValue().process.isolation === 'session');
  protected readonly isPoolIsolation = computed(() => this.formValue().process.isolation === 'pool');
  /** Editing a running service in a way that restarts it: say so before the user saves. */
  protected readonly willRestart = computed(() => {
    const original = this.original();
    if (!original || original.status === 'stopped') return false;
    return updateRestartsService(updateBodyFrom(original, this.formValue(), this.environmentMode() === 'replace'));
  });
  protected readonly storedVariableNames = computed(() => Object.keys(this.original()?.environment ?? {}));

  constructor() {
    // A remote server has no command but needs a URL; a process needs a command (unless deployed from a repository).
    // Only here, not as a template attribute: a required directive on the hidden command input would keep the form invalid.
    this.form.controls.transport.valueChanges.pipe(takeUntilDestroyed()).subscribe((transport) => this.requireFor(transport));
    this.requireFor(this.form.controls.transport.value);
    if (this.editing) {
      this.form.controls.name.disable();
      this.load(this.editing);
    } else {
      this.form.reset(emptyServiceForm());
    }
  }

  protected get environmentRows(): EnvironmentRowGroup[] {
    return this.form.controls.environment.controls;
  }

  protected addVariable(): void {
    this.form.controls.environment.push(this.environmentRow({ key: '', value: '' }));
  }

  protected removeVariable(index: number): void {
    this.form.controls.environment.removeAt(index);
    this.revealed.set(new Set());
  }

  protected toggleReveal(index: number): void {
    const next = new Set(this.revealed());
    if (next.has(index)) next.delete(index);
    else next.add(index);
    this.revealed.set(next);
  }

  /** Edit only: start entering the variables again (names kept, values empty and required). */
  protected replaceVariables(): void {
    this.setEnvironmentRows(this.storedVariableNames().map((key) => ({ key, value: '' })));
    this.environmentMode.set('replace');
  }

  /** Edit only: go back to leaving the stored variables untouched. */
  protected keepVariables(): void {
    this.setEnvironmentRows([]);
    this.environmentErrors.set([]);
    this.environmentMode.set('keep');
  }

  protected readonly errorFor = controlError;

  protected submit(): void {
    if (this.saving()) return;
    this.submitErrors.set([]);
    this.environmentErrors.set([]);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value: ServiceFormValue = this.form.getRawValue();
    const original = this.original();
    let request: Observable<ServiceView>;
    if (original) {
      const body = updateBodyFrom(original, value, this.environmentMode() === 'replace');
      if (Object.keys(body).length === 0) {
        this.feedback.success(`Nothing to save: ${original.name} is unchanged`);
        void this.router.navigate(['/services', original.name]);
        return;
      }
      request = this.api.update(original.id, body);
    } else {
      request = this.api.create(createBodyFrom(value));
    }
    this.saving.set(true);
    const name = original?.name ?? value.name.trim();
    request = this.feedback.run(request, {
      done: (service) => `${original ? 'Saved' : 'Created'} ${service.name}`,
      failed: `Could not ${original ? 'save' : 'create'} ${name}`,
    });
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (service) => void this.router.navigate(['/services', service.name]),
      error: (error: unknown) => {
        this.saving.set(false);
        this.showRefusal(error);
      },
    });
  }

  private load(name: string): void {
    this.loading.set(true);
    this.api
      .get(name)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (service) => {
          this.original.set(service);
          if (service.repository) {
            // Deployed from a repository: the command comes from the deploy and may stay empty.
            this.form.controls.process.controls.command.removeValidators(Validators.required);
          }
          const value = formValueFromService(service);
          this.form.reset({ ...value, environment: [] });
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.loadError.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  private requireFor(transport: ServiceTransport): void {
    const { command } = this.form.controls.process.controls;
    const { url } = this.form.controls.remote.controls;
    if (transport === 'remote') {
      command.removeValidators(Validators.required);
      url.addValidators(Validators.required);
    } else {
      if (!this.original()?.repository) command.addValidators(Validators.required);
      url.removeValidators(Validators.required);
    }
    command.updateValueAndValidity({ emitEvent: false });
    url.updateValueAndValidity({ emitEvent: false });
  }

  private setEnvironmentRows(rows: EnvironmentRow[]): void {
    const array = this.form.controls.environment;
    array.clear();
    for (const row of rows) array.push(this.environmentRow(row));
    this.revealed.set(new Set());
  }

  private environmentRow(row: EnvironmentRow): EnvironmentRowGroup {
    return environmentRowGroup(row, this.editing !== null);
  }

  /** Puts each of the API's messages next to its field, and lists them all above the buttons. */
  private showRefusal(error: unknown): void {
    const messages = apiErrorMessages(error);
    const isValidation =
      error instanceof HttpErrorResponse && (error.status === HttpStatusCode.BadRequest || error.status === HttpStatusCode.Conflict);
    if (!isValidation || messages.length === 0) {
      this.submitErrors.set([describeHttpError(error)]);
      return;
    }
    const paths = controlPaths(this.form);
    const placed = placeApiErrors(messages, paths);
    for (const [path, fieldMessages] of Object.entries(placed.byField)) {
      if (path === 'environment') continue;
      const control = this.form.get(path);
      control?.setErrors({ ...(control.errors ?? {}), server: fieldMessages });
      control?.markAsTouched();
    }
    this.environmentErrors.set(placed.byField['environment'] ?? []);
    this.submitErrors.set(messages);
  }
}

/** `name`, `process.command`, … for every leaf control: the paths the API's messages use. */
function controlPaths(group: FormGroup, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [key, control] of Object.entries(group.controls)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (control instanceof FormGroup) paths.push(...controlPaths(control, path));
    else paths.push(path);
  }
  return paths;
}
