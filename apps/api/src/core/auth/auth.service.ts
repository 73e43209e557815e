import { Inject, Injectable } from '@nestjs/common';
import type { LoginView } from '@mcp-proxy/shared/dto';
import { RuntimeSettings } from '../config/runtime-settings';
import { ApiKey } from './api-key';
import { CREDENTIAL_VERIFIERS, CredentialVerifiers } from './credential-registry';
import type { Principal } from './principal';
import { SessionClaims, SessionTokens } from './session-tokens';
import { ADMIN_SUBJECT, SessionOrigin, UiSessionsService } from './ui-sessions.service';

/** Sign-in and sign-out: UI session tokens for the API key holder or a named user. Checking any credential is CredentialRegistry's. */
@Injectable()
export class AuthService {
  constructor(
    private readonly apiKey: ApiKey,
    private readonly tokens: SessionTokens,
    private readonly settings: RuntimeSettings,
    private readonly sessions: UiSessionsService,
    @Inject(CREDENTIAL_VERIFIERS) private readonly verifiers: CredentialVerifiers,
  ) {}

  /** A UI session token for the holder of the API key, or null when the key is wrong. */
  async login(apiKey: string, origin: SessionOrigin): Promise<LoginView | null> {
    if (!this.apiKey.matches(apiKey)) return null;
    return this.issue('session', ADMIN_SUBJECT, origin, { role: 'admin' });
  }

  /** A UI session token for a named user, or null when the name or password is wrong (or no users exist). */
  async loginWithPassword(username: string, password: string, origin: SessionOrigin): Promise<LoginView | null> {
    const user = await this.verifiers.users.authenticate(username, password);
    if (!user) return null;
    return this.issue('user', user.userId, origin, { role: user.role, username: user.username });
  }

  /** A UI session token for a user whose identity was checked elsewhere (a sign-in through the OpenID provider). */
  async loginAsUser(user: { userId: string; username: string; role: LoginView['role'] }, origin: SessionOrigin): Promise<LoginView> {
    return this.issue('user', user.userId, origin, { role: user.role, username: user.username });
  }

  /** Ends the session a credential belongs to (logout); false when it is not a session token. */
  async logout(principal: Principal): Promise<boolean> {
    return principal.sessionId ? this.sessions.end(principal.sessionId) : false;
  }

  private async issue(
    kind: SessionClaims['kind'],
    subject: string,
    origin: SessionOrigin,
    who: Pick<LoginView, 'role' | 'username'>,
  ): Promise<LoginView> {
    const ttlSeconds = this.settings.get('SESSION_TTL_MINUTES') * 60;
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const jti = await this.sessions.open(subject, origin, expiresAt);
    const token = this.tokens.sign({ sub: subject, kind, jti }, ttlSeconds);
    return { token, expiresAt: expiresAt.toISOString(), ...who };
  }
}
