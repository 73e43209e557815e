import { HttpErrorResponse, HttpStatusCode } from '@angular/common/http';
import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, OnInit, signal } from '@angular/core';
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
import type { SignInOptionsView } from '@mcp-proxy/shared/dto';

@Component({
  selector: 'mcp-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule],
  templateUrl: './login-page.component.html',
  styleUrl: './login-page.component.scss',
})
export class LoginPageComponent implements OnInit {
  private readonly document = inject(DOCUMENT);
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
  /** Passwords (off with OIDC_ONLY) and the team's identity provider, as the API says. */
  protected readonly options = signal<SignInOptionsView | null>(null);

  ngOnInit(): void {
    const query = this.route.snapshot.queryParamMap;
    const refused = query.get('oidcError');
    if (refused) this.error.set(providerErrorMessage(refused));
    if (query.get('oidc') === 'done') this.pickUpProviderSession();
    this.auth
      .signInOptions()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: (options) => this.options.set(options), error: () => this.options.set(null) });
  }

  /** A full navigation: the API sends the browser on to the provider, which sends it back here. */
  protected signInWithProvider(startUrl: string): void {
    const returnUrl = safeReturnUrl(this.route.snapshot.queryParamMap.get('returnUrl'));
    this.document.location.assign(returnUrl ? `${startUrl}?returnUrl=${encodeURIComponent(returnUrl)}` : startUrl);
  }

  private pickUpProviderSession(): void {
    this.submitting.set(true);
    this.auth
      .pickUpProviderSession()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => this.goOn(),
        error: () => {
          this.submitting.set(false);
          this.error.set('The sign-in through your identity provider could not be completed here. Try again.');
        },
      });
  }

  private goOn(): void {
    const returnUrl = safeReturnUrl(this.route.snapshot.queryParamMap.get('returnUrl'));
    void this.router.navigateByUrl(returnUrl ?? '/dashboard');
  }

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
      next: () => this.goOn(),
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

/** Words for the reasons the API gives when it refuses a sign-in through the provider. */
function providerErrorMessage(reason: string): string {
  switch (reason) {
    case 'no-role':
      return 'Your account at the identity provider has no role here: ask an admin to add you to a group that is mapped.';
    case 'unknown-user':
      return 'Your account at the identity provider is not linked to a user here: ask an admin.';
    case 'throttled':
      return 'Too many sign-in attempts. Wait a minute, then try again.';
    case 'provider-error':
      return 'The identity provider did not sign you in.';
    case 'expired':
      return 'The sign-in took too long or was started in another browser. Try again.';
    default:
      return 'The sign-in through your identity provider failed. Try again.';
  }
}

function loginErrorMessage(error: unknown, byKey: boolean): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === HttpStatusCode.Unauthorized) return byKey ? 'Invalid API key' : 'Invalid user name or password';
    if (error.status === HttpStatusCode.Forbidden) return 'Password sign-in is off here: sign in through your identity provider.';
    if (error.status === HttpStatusCode.TooManyRequests) {
      return 'Too many sign-in attempts. Wait a minute, then try again.';
    }
  }
  return `Sign-in failed: ${describeHttpError(error)}`;
}
