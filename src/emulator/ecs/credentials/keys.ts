/**
 * Fake STS-looking temporary credentials: the shapes AWS SDKs accept (ASIA access key id, 40-character secret,
 * a long session token, RFC 3339 expiration without fractions), random every time. They sign nothing real.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { IAMRoleCredentials } from '../../../shared/protocol/acs.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function pick(alphabet: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** 2023-06-07T12:00:00Z: what STS returns and what SDKs in containers parse (§3.2). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function fakeRoleCredentials(input: { credentialsId: string; roleArn: string; expiresAtMs: number }): IAMRoleCredentials {
  return {
    credentialsId: input.credentialsId,
    roleArn: input.roleArn,
    accessKeyId: `ASIA${pick(BASE32, 16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(240).toString('base64')}`,
    expiration: rfc3339(input.expiresAtMs),
  };
}
