/**
 * The named variables of the proxy's own environment, for the few a child process inherits (PATH,
 * HOME, locale). Read here because configuration is the only code that touches `process.env`.
 */
export function hostEnvironment(keys: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = process.env[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}
