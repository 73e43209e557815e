import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ReactiveFormsModule } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { ServiceForm, controlError } from './service-form.controls';
import { OAUTH_CONNECTION_CHOICES, REMOTE_AUTH_CHOICES } from './remote-form.model';

/**
 * How the proxy signs in at a remote server: nothing or headers, or OAuth (shared or per user, with an
 * optional pre-registered client). The client secret is write-only: a stored one is never shown.
 */
@Component({
  selector: 'mcp-remote-auth-fields',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  templateUrl: './remote-auth-fields.component.html',
  styles: `
    :host {
      display: block;
      margin-top: 16px;
    }
  `,
})
export class RemoteAuthFieldsComponent {
  /** The page's form: these fields edit its `remote` group. */
  readonly form = input.required<ServiceForm>();
  /** A secret is stored for the client id in the field (empty keeps it). */
  readonly storedSecret = input(false);
  protected readonly errorFor = controlError;
  protected readonly authChoices = REMOTE_AUTH_CHOICES;
  protected readonly connectionChoices = OAUTH_CONNECTION_CHOICES;
}
