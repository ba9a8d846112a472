/**
 * Instance credentials for the ECS API and the ACS/TCS signatures (spec §1.4 step 4, §1.6).
 *
 * Chain, first that answers wins:
 *   1. static AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the configuration;
 *   2. the rotating shared credentials file that ECS Anywhere hosts get from SSM (/rotatingcreds/credentials in
 *      the official agent's container, /root/.aws/credentials on the host), profile ECS_ALTERNATE_CREDENTIAL_PROFILE,
 *      re-read every refresh interval (1 minute, like the official rotating provider), so rotated keys are used
 *      without a restart;
 *   3. the AWS SDK's default Node chain (SSO, process, container and instance roles, ...).
 * The rotating file comes before the SDK chain because the SDK's own shared-file provider would read the same file
 * once and keep the keys forever.
 */
import { readFile } from 'node:fs/promises';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger } from '../../shared/log.js';
import { credentialsFromIni } from './shared-file.js';
import { realClock, type Clock } from '../../shared/clock.js';

/** Where the official agent (in its container) and an ECS Anywhere host keep the SSM-rotated credentials. */
export const ROTATING_CREDENTIALS_FILES = ['/rotatingcreds/credentials', '/root/.aws/credentials'] as const;

export interface RotatingCredentialsOptions {
  /** Candidate files; the first one that can be read is used. */
  files: readonly string[];
  profile: string;
  refreshMs: number;
  clock?: Clock;
  log?: Logger;
}

/** Thrown when no file holds the profile: the chain moves on to the next provider. */
export class NoRotatingCredentialsError extends Error {
  override readonly name = 'CredentialsProviderError';
  readonly tryNextLink = true;
}

async function readFirst(files: readonly string[]): Promise<{ file: string; text: string } | undefined> {
  for (const file of files) {
    try {
      return { file, text: await readFile(file, 'utf8') };
    } catch {
      // Missing or unreadable (not root): try the next candidate.
    }
  }
  return undefined;
}

/**
 * A provider that re-reads the file at most once per refresh interval. The identity it returns expires at the next
 * refresh, which makes the SDK ask again instead of caching the keys. A file that is briefly missing or half
 * written during a rotation keeps the last good keys.
 */
export function rotatingSharedCredentials(opts: RotatingCredentialsOptions): AwsCredentialIdentityProvider {
  const clock = opts.clock ?? realClock;
  const now = (): number => clock.now();
  let cached: { creds: AwsCredentialIdentity; readAt: number } | undefined;
  let inflight: Promise<AwsCredentialIdentity> | undefined;

  const refresh = async (): Promise<AwsCredentialIdentity> => {
    const readAt = now();
    const found = await readFirst(opts.files);
    const creds = found === undefined ? undefined : credentialsFromIni(found.text, opts.profile);
    if (creds === undefined) {
      if (cached) {
        opts.log?.warn({ files: opts.files, profile: opts.profile }, 'rotating credentials unreadable; keeping the last keys');
        cached = { creds: cached.creds, readAt };
        return cached.creds;
      }
      throw new NoRotatingCredentialsError(`no profile '${opts.profile}' in ${opts.files.join(' or ')}`);
    }
    if (cached && cached.creds.accessKeyId !== creds.accessKeyId) {
      opts.log?.info({ file: found?.file, profile: opts.profile }, 'picked up rotated instance credentials');
    }
    cached = { creds, readAt };
    return creds;
  };

  return async () => {
    if (cached === undefined || now() - cached.readAt >= opts.refreshMs) {
      inflight ??= refresh().finally(() => (inflight = undefined));
      await inflight;
    }
    const c = cached!;
    return { ...c.creds, expiration: new Date(c.readAt + opts.refreshMs) };
  };
}

/** Tries each provider in order; one that throws with `tryNextLink` hands over to the next. */
export function chainProviders(...providers: AwsCredentialIdentityProvider[]): AwsCredentialIdentityProvider {
  return async () => {
    let last: unknown;
    for (const p of providers) {
      try {
        return await p();
      } catch (err) {
        if ((err as { tryNextLink?: unknown }).tryNextLink !== true) throw err;
        last = err;
      }
    }
    throw last instanceof Error ? last : new Error('no instance credentials found');
  };
}

export interface InstanceCredentialsOptions {
  /** Static keys from the configuration (AWS_ACCESS_KEY_ID & co). */
  static?: AwsCredentialIdentity | undefined;
  /** Undefined: the official locations (ROTATING_CREDENTIALS_FILES). */
  rotatingFile?: string | undefined;
  profile: string;
  refreshMs: number;
  log?: Logger;
}

export function instanceCredentialChain(opts: InstanceCredentialsOptions): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  if (opts.static) return opts.static;
  return chainProviders(
    rotatingSharedCredentials({
      files: opts.rotatingFile === undefined ? ROTATING_CREDENTIALS_FILES : [opts.rotatingFile],
      profile: opts.profile,
      refreshMs: opts.refreshMs,
      ...(opts.log ? { log: opts.log } : {}),
    }),
    fromNodeProviderChain(),
  );
}
