/** An OAuth error response (RFC 6749 §5.2): a code the client understands and words for its user. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}
