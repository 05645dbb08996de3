import * as crypto from 'crypto';
import { base64url } from './util';

export type Claims = Record<string, unknown>;

export class JwtSigner {
  private readonly key = crypto.randomBytes(32);

  sign(claims: Claims): string {
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'sim' }));
    const payload = base64url(JSON.stringify(claims));
    const sig = crypto.createHmac('sha256', this.key).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  }

  /** Claims when the signature is ours, else undefined. Expiry is left to the caller. */
  verify(token: string): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = crypto.createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
      return claims && typeof claims === 'object' ? (claims as Claims) : undefined;
    } catch {
      return undefined;
    }
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
