import { HttpErrorResponse, HttpStatusCode } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { AbstractControl, FormControl, FormGroup, ReactiveFormsModule, ValidationErrors } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ActivatedRoute, Router } from '@angular/router';
import { describeHttpError } from '../../core/api/api-error';
import { AuthService } from '../../core/auth/auth.service';
import { safeReturnUrl } from '../../core/auth/return-url';

@Component({
  selector: 'mcp-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule],
  templateUrl: './login-page.component.html',
  styleUrl: './login-page.component.scss',
})
export class LoginPageComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly destroyRef = inject(DestroyRef);

  /** The API key (the operator who installed the gateway) or a named user's password. */
  protected readonly mode = signal<'apiKey' | 'password'>('apiKey');
  protected readonly form = new FormGroup({
    apiKey: new FormControl('', { nonNullable: true, validators: [notBlank] }),
  });
  protected readonly userForm = new FormGroup({
    username: new FormControl('', { nonNullable: true, validators: [notBlank] }),
    password: new FormControl('', { nonNullable: true, validators: [notBlank] }),
  });
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly revealKey = signal(false);

  protected switchMode(mode: 'apiKey' | 'password'): void {
    this.mode.set(mode);
    this.error.set(null);
  }

  protected submit(): void {
    if (this.submitting()) return;
    const byKey = this.mode() === 'apiKey';
    const form = byKey ? this.form : this.userForm;
    if (form.invalid) {
      form.markAllAsTouched();
      return;
    }
    const { username, password } = this.userForm.getRawValue();
    const signIn = byKey ? this.auth.login(this.form.controls.apiKey.value.trim()) : this.auth.loginWithPassword(username.trim(), password);
    this.submitting.set(true);
    this.error.set(null);
    signIn.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: () => {
        const returnUrl = safeReturnUrl(this.route.snapshot.queryParamMap.get('returnUrl'));
        void this.router.navigateByUrl(returnUrl ?? '/dashboard');
      },
      error: (error: unknown) => {
        this.submitting.set(false);
        this.error.set(loginErrorMessage(error, byKey));
      },
    });
  }
}

/** Like `Validators.required`, but whitespace alone does not count as a key. */
function notBlank(control: AbstractControl<string>): ValidationErrors | null {
  return control.value.trim() ? null : { required: true };
}

function loginErrorMessage(error: unknown, byKey: boolean): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === HttpStatusCode.Unauthorized) return byKey ? 'Invalid API key' : 'Invalid user name or password';
    if (error.status === HttpStatusCode.TooManyRequests) {
      return 'Too many sign-in attempts. Wait a minute, then try again.';
    }
  }
  return `Sign-in failed: ${describeHttpError(error)}`;
}
