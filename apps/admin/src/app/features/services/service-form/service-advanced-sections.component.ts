import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ReactiveFormsModule } from '@angular/forms';
import { MatExpansionModule } from '@angular/material/expansion';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { ServiceForm, controlError } from './service-form.controls';
import {
  AUTH_MODES,
  DRIFT_POLICIES,
  DRIFT_POLICY_LABELS,
  RESPONSE_MODES,
  SANDBOX_FILESYSTEM_CHOICES,
  SANDBOX_USER_CHOICES,
} from './service-form.model';

/**
 * The parts of the service form most services leave at their defaults (sandbox and limits, proxy,
 * call history), collapsed below the essentials so a first service is a short form.
 */
@Component({
  selector: 'mcp-service-advanced-sections',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatExpansionModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatSlideToggleModule],
  templateUrl: './service-advanced-sections.component.html',
  styles: `
    mat-accordion {
      display: block;
    }
    h2 {
      margin: 0;
      font: var(--mat-sys-title-medium);
    }
    mat-panel-description {
      flex-wrap: wrap;
    }
  `,
})
export class ServiceAdvancedSectionsComponent {
  /** The page's form: these sections edit its `process`, `proxy` and `callLogPayloads` controls. */
  readonly form = input.required<ServiceForm>();
  protected readonly errorFor = controlError;
  protected readonly responseModes = RESPONSE_MODES;
  protected readonly authModes = AUTH_MODES;
  protected readonly driftPolicies = DRIFT_POLICIES;
  protected readonly driftPolicyLabels = DRIFT_POLICY_LABELS;
  protected readonly sandboxUsers = SANDBOX_USER_CHOICES;
  protected readonly sandboxFilesystems = SANDBOX_FILESYSTEM_CHOICES;
}
