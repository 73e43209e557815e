import { HttpErrorResponse, HttpStatusCode } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import {
  AbstractControl,
  FormArray,
  FormControl,
  FormGroup,
  ReactiveFormsModule,
  ValidationErrors,
  ValidatorFn,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_FORM_FIELD_DEFAULT_OPTIONS, MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type {
  DriftPolicy,
  IsolationMode,
  RemoteProtocol,
  ResponseMode,
  SandboxFilesystemMode,
  SandboxUserMode,
  ServiceAuthMode,
  ServiceTransport,
  ServiceView,
} from '@mcp-proxy/shared/dto';
import { Observable, map, startWith } from 'rxjs';
import { apiErrorMessages, describeHttpError } from '../../../core/api/api-error';
import { ServicesApiService } from '../services-api.service';
import {
  ENV_KEY_PATTERN,
  EnvironmentRow,
  HEADER_LINE_PATTERN,
  REMOTE_PROTOCOLS,
  ISOLATION_MODES,
  PROXY_PATH_PATTERN,
  RESERVED_NAMES,
  RESPONSE_MODES,
  AUTH_MODES,
  DRIFT_POLICIES,
  DRIFT_POLICY_LABELS,
  SANDBOX_FILESYSTEM_CHOICES,
  SANDBOX_USER_CHOICES,
  SERVICE_NAME_PATTERN,
  ServiceFormValue,
  TRANSPORTS,
  createBodyFrom,
  emptyServiceForm,
  formValueFromService,
  placeApiErrors,
  updateBodyFrom,
  updateRestartsService,
} from './service-form.model';

type EnvironmentRowGroup = FormGroup<{ key: FormControl<string>; value: FormControl<string> }>;

const text = (value = '', ...validators: ValidatorFn[]): FormControl<string> => new FormControl(value, { nonNullable: true, validators });
const integer = (min: number, max: number): FormControl<number | null> =>
  new FormControl<number | null>(null, [Validators.min(min), Validators.max(max), wholeNumber]);

/** Create (`/services/new`) and edit (`/services/:name/edit`) a service. */
@Component({
  selector: 'mcp-service-form-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSlideToggleModule,
  ],
  providers: [
    // Hints and errors take the room they need instead of overlapping the next row.
    { provide: MAT_FORM_FIELD_DEFAULT_OPTIONS, useValue: { appearance: 'outline', subscriptSizing: 'dynamic' } },
  ],
  templateUrl: './service-form-page.component.html',
  styleUrl: './service-form-page.component.scss',
})
export class ServiceFormPageComponent {
  private readonly api = inject(ServicesApiService);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);

  /** The name from the URL when editing; null when creating. */
  protected readonly editing: string | null = inject(ActivatedRoute).snapshot.paramMap.get('name');
  protected readonly transports = TRANSPORTS;
  protected readonly isolationModes = ISOLATION_MODES;
  protected readonly responseModes = RESPONSE_MODES;
  protected readonly authModes = AUTH_MODES;
  protected readonly driftPolicies = DRIFT_POLICIES;
  protected readonly driftPolicyLabels = DRIFT_POLICY_LABELS;
  protected readonly remoteProtocols = REMOTE_PROTOCOLS;
  protected readonly sandboxUsers = SANDBOX_USER_CHOICES;
  protected readonly sandboxFilesystems = SANDBOX_FILESYSTEM_CHOICES;

  protected readonly form = new FormGroup({
    name: text('', Validators.required, Validators.pattern(SERVICE_NAME_PATTERN), notReserved),
    transport: new FormControl<ServiceTransport>('stdio', { nonNullable: true }),
    process: new FormGroup({
      command: text('', Validators.required, Validators.maxLength(1000)),
      args: text(),
      cwd: text('', Validators.maxLength(1000)),
      port: integer(1, 65_535),
      isolation: new FormControl<IsolationMode>('shared', { nonNullable: true }),
      autoRestart: new FormControl(true, { nonNullable: true }),
      maxRestarts: integer(0, 1000),
      restartWindowSec: integer(10, 86_400),
      healthCheckIntervalSec: integer(0, 3600),
      memoryLimitMb: integer(16, 1_048_576),
      maxSessions: integer(1, 1000),
      sessionIdleTimeoutSec: integer(10, 86_400),
      limits: new FormGroup({
        memoryMb: integer(0, 1_048_576),
        cpuPercent: integer(0, 100_000),
        maxProcesses: integer(0, 1_000_000),
        maxOpenFiles: integer(0, 1_048_576),
        cpuSeconds: integer(0, 31_536_000),
        addressSpaceMb: integer(0, 1_048_576),
      }),
      sandboxUser: new FormControl<'default' | SandboxUserMode>('default', { nonNullable: true }),
      sandboxFilesystem: new FormControl<'default' | SandboxFilesystemMode>('default', { nonNullable: true }),
    }),
    proxy: new FormGroup({
      path: text('', Validators.pattern(PROXY_PATH_PATTERN)),
      rateLimit: integer(0, 1_000_000),
      toolLimits: text('', toolLimitLines),
      cache: new FormControl(true, { nonNullable: true }),
      toolResultTtlSec: integer(0, 86_400),
      requestTimeoutSec: integer(1, 3600),
      responseMode: new FormControl<ResponseMode>('auto', { nonNullable: true }),
      auth: new FormControl<ServiceAuthMode>('apiKey', { nonNullable: true }),
      driftPolicy: new FormControl<DriftPolicy>('warn', { nonNullable: true }),
    }),
    remote: new FormGroup({
      url: text('', Validators.maxLength(2000), Validators.pattern(/^https?:\/\/\S+$/)),
      protocol: new FormControl<RemoteProtocol>('streamable-http', { nonNullable: true }),
      headers: text('', headerLines),
      allowInsecureHttp: new FormControl(false, { nonNullable: true }),
    }),
    environment: new FormArray<EnvironmentRowGroup>([], uniqueKeys),
    callLogPayloads: new FormControl(false, { nonNullable: true }),
    start: new FormControl(false, { nonNullable: true }),
  });

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
  protected readonly isSessionIsolation = computed(() => this.formValue().process.isolation === 'session');
  /** Editing a running service in a way that restarts it: say so before the user saves. */
  protected readonly willRestart = computed(() => {
    const original = this.original();
    if (!original || original.status === 'stopped') return false;
    return updateRestartsService(updateBodyFrom(original, this.formValue(), this.environmentMode() === 'replace'));
  });
  protected readonly storedVariableNames = computed(() => Object.keys(this.original()?.environment ?? {}));

  constructor() {
    // A remote server has no command but needs a URL; a process needs a command (unless deployed from a repository).
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

  protected errorFor(control: AbstractControl): string | null {
    const errors = control.errors;
    if (!errors) return null;
    if (errors['server']) return (errors['server'] as string[]).join('; ');
    if (errors['required']) return 'Required';
    if (errors['reserved']) return 'This word is reserved by the proxy';
    if (errors['pattern']) return null; // Each field explains its own pattern in the template.
    if (errors['min']) return `At least ${(errors['min'] as { min: number }).min}`;
    if (errors['max']) return `At most ${(errors['max'] as { max: number }).max}`;
    if (errors['wholeNumber']) return 'A whole number';
    if (errors['toolLimitLines']) return `Not a "tool: calls per minute" line: ${(errors['toolLimitLines'] as string[])[0]}`;
    if (errors['headerLines']) return `Not a "Name: value" line: ${(errors['headerLines'] as string[])[0]}`;
    if (errors['maxlength']) return 'Too long';
    return 'Invalid value';
  }

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
        void this.router.navigate(['/services', original.name]);
        return;
      }
      request = this.api.update(original.id, body);
    } else {
      request = this.api.create(createBodyFrom(value));
    }
    this.saving.set(true);
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
    // When replacing stored variables, every value must be entered again: an empty one would
    // silently wipe a secret the user cannot see.
    const valueValidators = this.editing ? [Validators.required] : [];
    return new FormGroup({
      key: text(row.key, Validators.required, Validators.pattern(ENV_KEY_PATTERN)),
      value: text(row.value, ...valueValidators, Validators.maxLength(32 * 1024)),
    });
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

function notReserved(control: AbstractControl<string>): ValidationErrors | null {
  return RESERVED_NAMES.includes(control.value.trim()) ? { reserved: true } : null;
}

function wholeNumber(control: AbstractControl<number | null>): ValidationErrors | null {
  const value = control.value;
  return value === null || Number.isInteger(value) ? null : { wholeNumber: true };
}

function headerLines(control: AbstractControl<string>): ValidationErrors | null {
  const bad = control.value
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line && !HEADER_LINE_PATTERN.test(line));
  return bad.length > 0 ? { headerLines: bad } : null;
}

function toolLimitLines(control: AbstractControl<string>): ValidationErrors | null {
  const bad = control.value
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line && !/^[^:]+:\s*[1-9]\d{0,6}$/.test(line));
  return bad.length > 0 ? { toolLimitLines: bad } : null;
}

function uniqueKeys(control: AbstractControl): ValidationErrors | null {
  const rows = (control as FormArray<EnvironmentRowGroup>).controls.map((row) => row.controls.key.value.trim());
  const duplicates = rows.filter((key, index) => key && rows.indexOf(key) !== index);
  return duplicates.length > 0 ? { duplicateKeys: [...new Set(duplicates)] } : null;
}
