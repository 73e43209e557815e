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
import { MAT_FORM_FIELD_DEFAULT_OPTIONS, MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { GroupView, ResponseMode, ServiceView } from '@mcp-proxy/shared/dto';
import { Observable, forkJoin, map, of, startWith } from 'rxjs';
import { apiErrorMessages, describeHttpError } from '../../core/api/api-error';
import { RESPONSE_MODES, placeApiErrors } from '../services/service-form/service-form.model';
import { ServicesApiService } from '../services/services-api.service';
import {
  DEFAULT_SEPARATOR,
  GROUP_NAME_PATTERN,
  GroupFormValue,
  MemberFormValue,
  RESERVED_GROUP_NAMES,
  RenameRow,
  SEPARATOR_PATTERN,
  createGroupBody,
  emptyGroupForm,
  emptyMember,
  groupFieldPaths,
  groupFormFromView,
  moveItem,
  parseNameList,
  updateGroupBody,
} from './group-form.model';
import { GroupsApiService } from './groups-api.service';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';
import { Crumb, PageLayoutComponent } from '../../shared/ui/page-layout/page-layout.component';

type RenameGroup = FormGroup<{ original: FormControl<string>; name: FormControl<string>; description: FormControl<string> }>;
type MemberGroup = FormGroup<{
  service: FormControl<string>;
  allow: FormControl<string>;
  deny: FormControl<string>;
  renames: FormArray<RenameGroup>;
}>;

const text = (value = '', ...validators: ValidatorFn[]): FormControl<string> => new FormControl(value, { nonNullable: true, validators });
const integer = (value: number | null, min: number, max: number): FormControl<number | null> =>
  new FormControl<number | null>(value, [Validators.min(min), Validators.max(max), wholeNumber]);

/** Create (`/groups/new`) and edit (`/groups/:name/edit`) a group: its members in order, what of each it shows, settings. */
@Component({
  selector: 'mcp-group-form-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    PageLayoutComponent,
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSlideToggleModule,
  ],
  providers: [{ provide: MAT_FORM_FIELD_DEFAULT_OPTIONS, useValue: { appearance: 'outline', subscriptSizing: 'dynamic' } }],
  templateUrl: './group-form-page.component.html',
  styleUrl: './group-form-page.component.scss',
})
export class GroupFormPageComponent {
  private readonly api = inject(GroupsApiService);
  private readonly servicesApi = inject(ServicesApiService);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  /** The name from the URL when editing; null when creating. */
  protected readonly editing: string | null = inject(ActivatedRoute).snapshot.paramMap.get('name');
  protected readonly crumbs: readonly Crumb[] = this.editing
    ? [{ label: 'Groups', link: '/groups' }, { label: this.editing, link: ['/groups', this.editing] }, { label: 'edit' }]
    : [{ label: 'Groups', link: '/groups' }, { label: 'new' }];
  protected readonly responseModes = RESPONSE_MODES;

  protected readonly form = new FormGroup({
    name: text('', Validators.required, Validators.pattern(GROUP_NAME_PATTERN), notReserved),
    enabled: new FormControl(true, { nonNullable: true }),
    separator: text(DEFAULT_SEPARATOR, Validators.required, Validators.pattern(SEPARATOR_PATTERN)),
    members: new FormArray<MemberGroup>([], atLeastOne),
    allow: text(),
    deny: text(),
    settings: new FormGroup({
      rateLimit: integer(0, 0, 1_000_000),
      requestTimeoutSec: integer(60, 1, 3600),
      memberTimeoutSec: integer(5, 1, 120),
      responseMode: new FormControl<ResponseMode>('auto', { nonNullable: true }),
      toolSearch: new FormControl(false, { nonNullable: true }),
    }),
  });
  /** The service to add next, outside the form: picking one adds a member. */
  protected readonly newMember = new FormControl<string>('', { nonNullable: true });

  protected readonly original = signal<GroupView | null>(null);
  protected readonly services = signal<ServiceView[]>([]);
  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  protected readonly saving = signal(false);
  protected readonly submitErrors = signal<string[]>([]);

  private readonly formValue = toSignal(
    this.form.valueChanges.pipe(
      startWith(null),
      map(() => this.form.getRawValue()),
    ),
    { requireSync: true },
  );
  /** Services not in the group yet. */
  protected readonly addable = computed(() => {
    const taken = new Set(this.formValue().members.map((member) => member.service));
    return this.services().filter((service) => !taken.has(service.name));
  });
  /** How the first tool of each member will be named, as an example: `everything__echo`. */
  protected readonly separator = computed(() => this.formValue().separator || DEFAULT_SEPARATOR);

  constructor() {
    const group$: Observable<GroupView | null> = this.editing ? this.api.get(this.editing) : of(null);
    forkJoin({ services: this.servicesApi.list(), group: group$ })
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: ({ services, group }) => {
          this.services.set(services);
          this.original.set(group);
          this.setValue(group ? groupFormFromView(group) : emptyGroupForm());
          if (group) this.form.controls.name.disable();
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.loadError.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected get memberGroups(): MemberGroup[] {
    return this.form.controls.members.controls;
  }

  protected renameGroups(member: MemberGroup): RenameGroup[] {
    return member.controls.renames.controls;
  }

  protected addMember(): void {
    const service = this.newMember.value;
    if (!service) return;
    this.form.controls.members.push(memberGroup(emptyMember(service)));
    this.newMember.setValue('');
  }

  protected removeMember(index: number): void {
    this.form.controls.members.removeAt(index);
  }

  protected moveMember(index: number, by: -1 | 1): void {
    const array = this.form.controls.members;
    const moved = moveItem(array.controls, index, index + by);
    array.clear({ emitEvent: false });
    for (const control of moved) array.push(control, { emitEvent: false });
    array.updateValueAndValidity();
  }

  protected addRename(member: MemberGroup): void {
    member.controls.renames.push(renameGroup({ original: '', name: '', description: '' }));
  }

  protected removeRename(member: MemberGroup, index: number): void {
    member.controls.renames.removeAt(index);
  }

  /** What a member's allow list lets through, in words, for the hint under it. */
  protected listSummary(textValue: string, all: string): string {
    const names = parseNameList(textValue);
    return names.length === 0 ? all : `${names.length} name${names.length === 1 ? '' : 's'} or pattern${names.length === 1 ? '' : 's'}`;
  }

  protected errorFor(control: AbstractControl): string | null {
    const errors = control.errors;
    if (!errors) return null;
    if (errors['server']) return (errors['server'] as string[]).join('; ');
    if (errors['required']) return 'Required';
    if (errors['reserved']) return '"all" is the built-in group of every service (/mcp)';
    if (errors['min']) return `At least ${(errors['min'] as { min: number }).min}`;
    if (errors['max']) return `At most ${(errors['max'] as { max: number }).max}`;
    if (errors['wholeNumber']) return 'A whole number';
    return null; // Pattern errors: each field explains its own rule in the template.
  }

  protected submit(): void {
    if (this.saving()) return;
    this.submitErrors.set([]);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value: GroupFormValue = this.form.getRawValue();
    const original = this.original();
    const request = original ? this.api.update(original.id, updateGroupBody(value)) : this.api.create(createGroupBody(value));
    this.saving.set(true);
    const name = original?.name ?? value.name.trim();
    this.feedback
      .run(request, {
        done: (group) => `${original ? 'Saved' : 'Created'} the group ${group.name}`,
        failed: `Could not ${original ? 'save' : 'create'} the group ${name}`,
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (group) => void this.router.navigate(['/groups', group.name]),
        error: (error: unknown) => {
          this.saving.set(false);
          this.showRefusal(error);
        },
      });
  }

  private setValue(value: GroupFormValue): void {
    const members = this.form.controls.members;
    members.clear({ emitEvent: false });
    for (const member of value.members) members.push(memberGroup(member), { emitEvent: false });
    this.form.reset({ ...value, members: value.members });
  }

  private showRefusal(error: unknown): void {
    const messages = apiErrorMessages(error);
    const isValidation =
      error instanceof HttpErrorResponse && (error.status === HttpStatusCode.BadRequest || error.status === HttpStatusCode.Conflict);
    if (!isValidation || messages.length === 0) {
      this.submitErrors.set([describeHttpError(error)]);
      return;
    }
    const placed = placeApiErrors(messages, groupFieldPaths(this.memberGroups.length));
    for (const [path, fieldMessages] of Object.entries(placed.byField)) {
      const control = this.form.get(path);
      control?.setErrors({ ...(control.errors ?? {}), server: fieldMessages });
      control?.markAsTouched();
    }
    // A name already taken answers 409 without naming the field.
    if (error instanceof HttpErrorResponse && error.status === HttpStatusCode.Conflict && !this.editing) {
      this.form.controls.name.setErrors({ server: messages });
      this.form.controls.name.markAsTouched();
    }
    this.submitErrors.set(messages);
  }
}

function renameGroup(row: RenameRow): RenameGroup {
  return new FormGroup({
    original: text(row.original, Validators.required, Validators.maxLength(200)),
    name: text(row.name, Validators.maxLength(64)),
    description: text(row.description, Validators.maxLength(2000)),
  });
}

function memberGroup(member: MemberFormValue): MemberGroup {
  return new FormGroup({
    service: text(member.service, Validators.required),
    allow: text(member.allow),
    deny: text(member.deny),
    renames: new FormArray<RenameGroup>(member.renames.map(renameGroup)),
  });
}

function notReserved(control: AbstractControl<string>): ValidationErrors | null {
  return RESERVED_GROUP_NAMES.includes(control.value.trim()) ? { reserved: true } : null;
}

function wholeNumber(control: AbstractControl<number | null>): ValidationErrors | null {
  const value = control.value;
  return value === null || Number.isInteger(value) ? null : { wholeNumber: true };
}

function atLeastOne(control: AbstractControl): ValidationErrors | null {
  return (control as FormArray).length > 0 ? null : { noMembers: true };
}
