import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { AbstractControl, FormControl, FormRecord, ReactiveFormsModule, ValidationErrors, ValidatorFn } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatExpansionModule } from '@angular/material/expansion';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { SettingView, UpdateSettingsDto } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { apiErrorMessages, describeHttpError } from '../../core/api/api-error';
import { SettingsApiService } from './settings-api.service';
import {
  SOURCE_LABELS,
  SettingControlValue,
  SettingSection,
  changesFrom,
  controlValueOf,
  displayValue,
  errorsByKey,
  parseControlValue,
  sectionsOf,
  settingLabel,
  settingMatches,
} from './settings-form.model';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';
import { PageLayoutComponent } from '../../shared/ui/page-layout/page-layout.component';

function filterSections(sections: SettingSection[], query: string): SettingSection[] {
  return sections
    .map((section) => ({ ...section, settings: section.settings.filter((setting) => settingMatches(setting, query)) }))
    .filter((section) => section.settings.length > 0);
}

/** A control's message, from the form's own check or from the API's 400. */
type MessageErrors = { message: string };

function settingValidator(setting: SettingView): ValidatorFn {
  return (control: AbstractControl): ValidationErrors | null => {
    const parsed = parseControlValue(setting, control.value as SettingControlValue);
    return parsed.ok ? null : ({ message: parsed.error } satisfies MessageErrors);
  };
}

/**
 * Server settings: the runtime ones as a grouped form (value, source, default, reset), the ones only the
 * environment sets as a read-only list. Saving sends only what changed; the API applies it all or nothing.
 */
@Component({
  selector: 'mcp-settings-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    PageLayoutComponent,
    ReactiveFormsModule,
    MatButtonModule,
    MatExpansionModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSlideToggleModule,
  ],
  templateUrl: './settings-page.component.html',
  styleUrl: './settings-page.component.scss',
})
export class SettingsPageComponent {
  private readonly api = inject(SettingsApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  protected readonly form = new FormRecord<FormControl<SettingControlValue>>({});
  protected readonly settings = signal<SettingView[]>([]);
  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  protected readonly saving = signal(false);
  /** Keys just saved or reset, for the confirmation line. */
  protected readonly saved = signal<string[]>([]);
  /** API messages that name no setting (or a failure to reach the API). */
  protected readonly formErrors = signal<string[]>([]);
  protected readonly notice = signal<string | null>(null);

  protected readonly editable = computed(() => sectionsOf(this.settings(), true));
  protected readonly readOnly = computed(() => sectionsOf(this.settings(), false));
  protected readonly readOnlyCount = computed(() => this.settings().filter((setting) => !setting.runtime).length);
  /** The search box: sections keep only the settings that match it, and empty sections go. */
  protected readonly query = signal('');
  protected readonly shownEditable = computed(() => filterSections(this.editable(), this.query()));
  protected readonly shownReadOnly = computed(() => filterSections(this.readOnly(), this.query()));
  protected readonly label = settingLabel;
  protected readonly sourceLabels = SOURCE_LABELS;
  protected readonly display = displayValue;

  constructor() {
    this.api
      .list()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (settings) => {
          this.show(settings);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.loadError.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected errorFor(key: string): string | null {
    const control = this.form.controls[key];
    if (!control || !control.touched) return null;
    return (control.errors as MessageErrors | null)?.message ?? null;
  }

  protected save(): void {
    this.formErrors.set([]);
    this.saved.set([]);
    this.notice.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { body } = changesFrom(this.settings(), this.form.getRawValue());
    const keys = Object.keys(body);
    if (keys.length === 0) {
      this.notice.set('Nothing to save: every value is the one in force.');
      return;
    }
    this.run(this.api.update(body as UpdateSettingsDto), keys);
  }

  protected reset(setting: SettingView): void {
    this.formErrors.set([]);
    this.saved.set([]);
    this.notice.set(null);
    this.run(this.api.reset(setting.key), [setting.key]);
  }

  /** Puts every field back to the value in force. */
  protected discard(): void {
    this.formErrors.set([]);
    this.notice.set(null);
    this.show(this.settings());
  }

  private run(call: Observable<SettingView[]>, keys: string[]): void {
    this.saving.set(true);
    const what = keys.length === 1 ? keys[0] : `${keys.length} settings`;
    this.feedback
      .run(call, { done: `Saved ${what}`, failed: `Could not save ${what}` })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (settings) => {
          this.saving.set(false);
          this.show(settings);
          this.saved.set(keys);
        },
        error: (error: unknown) => {
          this.saving.set(false);
          this.placeErrors(error);
        },
      });
  }

  private placeErrors(error: unknown): void {
    const messages = apiErrorMessages(error);
    if (messages.length === 0) {
      this.formErrors.set([describeHttpError(error)]);
      return;
    }
    const byKey = errorsByKey(messages, Object.keys(this.form.controls));
    const unplaced: string[] = [];
    for (const [key, message] of Object.entries(byKey)) {
      const control = key ? this.form.controls[key] : undefined;
      if (!control) {
        unplaced.push(message);
        continue;
      }
      control.setErrors({ message } satisfies MessageErrors);
      control.markAsTouched();
    }
    this.formErrors.set(unplaced.length > 0 ? unplaced : ['Nothing was saved: correct the fields marked below.']);
  }

  /** The list as it now stands; every runtime field shows the value in force. */
  private show(settings: SettingView[]): void {
    this.settings.set(settings);
    for (const setting of settings.filter((item) => item.runtime)) {
      const value = controlValueOf(setting);
      const existing = this.form.controls[setting.key];
      if (existing) {
        existing.setValidators(settingValidator(setting));
        existing.reset(value);
      } else {
        this.form.addControl(setting.key, new FormControl(value, { nonNullable: true, validators: settingValidator(setting) }));
      }
    }
  }
}
