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
import { MatTableModule } from '@angular/material/table';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { map, startWith } from 'rxjs';
import { apiErrorMessages, describeHttpError } from '../../core/api/api-error';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { ENV_KEY_PATTERN, RESERVED_NAMES, SERVICE_NAME_PATTERN, placeApiErrors } from '../services/service-form/service-form.model';
import { ServicesApiService } from '../services/services-api.service';
import { DeployApiService } from './deploy-api.service';
import {
  BRANCH_PATTERN,
  DeployFormValue,
  ENTRY_POINT_PATTERN,
  REPOSITORY_URL_PATTERN,
  deployBodyFrom,
  deployFormFromService,
  emptyDeployForm,
  serviceNameFromUrl,
} from './deploy-form.model';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';
import { PageLayoutComponent } from '../../shared/ui/page-layout/page-layout.component';

type VariableRow = FormGroup<{ key: FormControl<string>; value: FormControl<string> }>;

const text = (value = '', ...validators: ValidatorFn[]): FormControl<string> => new FormControl(value, { nonNullable: true, validators });

/** Paths of the form's fields, as the API names them in its 400 messages. */
const FIELD_PATHS = ['repositoryUrl', 'branch', 'serviceName', 'entryPoint', 'allowScripts', 'replace'] as const;

/**
 * Deploy a git repository as a service (or redeploy one: `?service=<name>` fills the form in), and
 * the services deployed so far. Submitting opens the deployment's live page.
 */
@Component({
  selector: 'mcp-deploy-page',
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
    MatTableModule,
    StatusChipComponent,
  ],
  providers: [{ provide: MAT_FORM_FIELD_DEFAULT_OPTIONS, useValue: { appearance: 'outline', subscriptSizing: 'dynamic' } }],
  templateUrl: './deploy-page.component.html',
  styleUrl: './deploy-page.component.scss',
})
export class DeployPageComponent {
  private readonly api = inject(DeployApiService);
  private readonly servicesApi = inject(ServicesApiService);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  protected readonly form = new FormGroup({
    repositoryUrl: text('', Validators.required, Validators.maxLength(500), Validators.pattern(REPOSITORY_URL_PATTERN)),
    branch: text('', Validators.pattern(BRANCH_PATTERN)),
    serviceName: text('', Validators.pattern(SERVICE_NAME_PATTERN), notReserved),
    entryPoint: text('', Validators.maxLength(300), Validators.pattern(ENTRY_POINT_PATTERN)),
    allowScripts: new FormControl(false, { nonNullable: true }),
    replace: new FormControl(false, { nonNullable: true }),
    environment: new FormArray<VariableRow>([], uniqueKeys),
  });

  /** The service named in `?service=`, when redeploying it. */
  protected readonly redeploying = signal<ServiceView | null>(null);
  protected readonly prefillError = signal<string | null>(null);
  protected readonly submitting = signal(false);
  protected readonly submitErrors = signal<string[]>([]);
  protected readonly environmentErrors = signal<string[]>([]);
  protected readonly revealed = signal<ReadonlySet<number>>(new Set());

  protected readonly services = signal<ServiceView[] | null>(null);
  protected readonly servicesError = signal<string | null>(null);
  protected readonly deployed = computed(() => (this.services() ?? []).filter((service) => service.repository !== null));
  protected readonly columns = ['name', 'repository', 'status', 'actions'] as const;

  private readonly formValue = toSignal(
    this.form.valueChanges.pipe(
      startWith(null),
      map(() => this.form.getRawValue()),
    ),
    { requireSync: true },
  );
  /** The name the API will use when the field is left empty. */
  protected readonly defaultName = computed(() => serviceNameFromUrl(this.formValue().repositoryUrl));
  /** An existing service the deploy will replace (by the name given or made from the URL). */
  protected readonly replaces = computed(() => {
    const name = this.formValue().serviceName.trim() || this.defaultName();
    return name ? (this.services()?.find((service) => service.name === name) ?? null) : null;
  });

  constructor() {
    this.loadServices();
    inject(ActivatedRoute)
      .queryParamMap.pipe(
        map((params) => params.get('service')),
        takeUntilDestroyed(),
      )
      .subscribe((name) => (name ? this.prefill(name) : this.redeploying.set(null)));
  }

  protected get variableRows(): VariableRow[] {
    return this.form.controls.environment.controls;
  }

  protected addVariable(): void {
    this.form.controls.environment.push(
      new FormGroup({
        key: text('', Validators.required, Validators.pattern(ENV_KEY_PATTERN)),
        value: text('', Validators.maxLength(32 * 1024)),
      }),
    );
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

  protected errorFor(control: AbstractControl): string | null {
    const errors = control.errors;
    if (!errors) return null;
    if (errors['server']) return (errors['server'] as string[]).join('; ');
    if (errors['required']) return 'Required';
    if (errors['reserved']) return 'This word is reserved by the proxy';
    if (errors['maxlength']) return 'Too long';
    return null; // Pattern errors: each field explains its own rule in the template.
  }

  protected submit(): void {
    if (this.submitting()) return;
    this.submitErrors.set([]);
    this.environmentErrors.set([]);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value: DeployFormValue = this.form.getRawValue();
    this.submitting.set(true);
    this.feedback
      .run(this.api.deploy(deployBodyFrom(value)), { done: 'Deploy started: follow it here', failed: 'Could not start the deploy' })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (accepted) => void this.router.navigate(['/deploy', accepted.deploymentId]),
        error: (error: unknown) => {
          this.submitting.set(false);
          this.showRefusal(error);
        },
      });
  }

  protected loadServices(): void {
    this.servicesError.set(null);
    this.servicesApi
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (services) => this.services.set(services),
        error: (error: unknown) => this.servicesError.set(describeHttpError(error)),
      });
  }

  private prefill(name: string): void {
    this.prefillError.set(null);
    this.servicesApi
      .get(name)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (service) => {
          this.redeploying.set(service);
          const value = deployFormFromService(service);
          this.form.controls.environment.clear();
          this.form.reset({ ...value, environment: [] });
        },
        error: (error: unknown) => {
          this.redeploying.set(null);
          this.form.reset({ ...emptyDeployForm(), environment: [] });
          this.prefillError.set(`Could not load ${name}: ${describeHttpError(error)}`);
        },
      });
  }

  private showRefusal(error: unknown): void {
    const messages = apiErrorMessages(error);
    const isValidation =
      error instanceof HttpErrorResponse && (error.status === HttpStatusCode.BadRequest || error.status === HttpStatusCode.Conflict);
    if (!isValidation || messages.length === 0) {
      this.submitErrors.set([describeHttpError(error)]);
      return;
    }
    const placed = placeApiErrors(messages, FIELD_PATHS);
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

function notReserved(control: AbstractControl<string>): ValidationErrors | null {
  return RESERVED_NAMES.includes(control.value.trim()) ? { reserved: true } : null;
}

function uniqueKeys(control: AbstractControl): ValidationErrors | null {
  const keys = (control as FormArray<VariableRow>).controls.map((row) => row.controls.key.value.trim());
  const duplicates = keys.filter((key, index) => key && keys.indexOf(key) !== index);
  return duplicates.length > 0 ? { duplicateKeys: [...new Set(duplicates)] } : null;
}
