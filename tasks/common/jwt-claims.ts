/**
 * The payload claims of a JWT (access or OIDC token), or undefined when the token is not one.
 * Only used for hints the tasks can do without (expiry, object id); nothing is trusted from it.
 */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
