/**
 * ECR authorization tokens: GetAuthorizationToken hands out base64("AWS:<password>") valid for 12 hours, and the
 * registry front accepts exactly those passwords (Basic auth, user AWS). A password is its expiry signed with a
 * key the emulator keeps in its database, so tokens survive a restart and nothing else gets in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOKEN_TTL_MS = 12 * 3_600_000;

export type TokenCheck = 'ok' | 'expired' | 'invalid';

export class EcrTokens {
  constructor(private readonly key: Buffer) {}

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  /** A password that expires `ttlMs` after `nowMs`. */
  issue(nowMs: number, ttlMs = TOKEN_TTL_MS): { password: string; expiresAtMs: number } {
    const expiresAtMs = nowMs + ttlMs;
    const payload = Buffer.from(JSON.stringify({ exp: expiresAtMs })).toString('base64url');
    return { password: `${payload}.${this.sign(payload)}`, expiresAtMs };
  }

  check(password: string, nowMs: number): TokenCheck {
    const dot = password.indexOf('.');
    if (dot <= 0) return 'invalid';
    const payload = password.slice(0, dot);
    const given = Buffer.from(password.slice(dot + 1));
    const expected = Buffer.from(this.sign(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    let exp: unknown;
    try {
      exp = (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { exp?: unknown }).exp;
    } catch {
      return 'invalid';
    }
    if (typeof exp !== 'number') return 'invalid';
    return nowMs < exp ? 'ok' : 'expired';
  }

  /** An `Authorization: Basic ...` header -> its check (user must be AWS, as with ECR). */
  checkHeader(header: string | undefined, nowMs: number): TokenCheck {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!m) return 'invalid';
    const decoded = Buffer.from(m[1]!, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== 'AWS') return 'invalid';
    return this.check(decoded.slice(colon + 1), nowMs);
  }
}
